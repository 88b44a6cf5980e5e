// Runs actions one at a time, in order: an action handled while another is being handled (an
// effect that dispatches again) waits its turn instead of re-entering the handler.

export class SerialQueue<A> {
  private readonly queue: A[] = [];
  private running = false;

  constructor(private readonly handle: (action: A) => void) {}

  push(action: A): void {
    this.queue.push(action);
    if (this.running) return;
    this.running = true;
    try {
      for (let next = this.queue.shift(); next !== undefined; next = this.queue.shift()) this.handle(next);
    } finally {
      this.running = false;
    }
  }
}
