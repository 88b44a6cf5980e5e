// The media elements of the room. Videos are always muted (the sound plays from the audio
// elements, one per received audio track), so the browser lets them start on their own; each
// has an accessible name saying whose picture it is.
import { useEffect, useRef } from 'react';

export function RoomVideo({ stream, label, mirrored = false }: { stream: MediaStream | null; label: string; mirrored?: boolean }) {
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    const video = ref.current;
    if (!video) return;
    video.muted = true;
    if (video.srcObject !== stream) video.srcObject = stream;
    if (stream) {
      video.play().catch(() => {
        // Autoplay refused; a muted video starts on the next interaction.
      });
    }
  }, [stream]);
  return (
    <video
      ref={ref}
      className={mirrored ? 'room-video room-video-self' : 'room-video'}
      aria-label={label}
      playsInline
      autoPlay
      muted
    />
  );
}

/**
 * One received audio track, playing. When the browser refuses to play sound before an
 * interaction, `onBlocked` is told; a later `attempt` (a click on "Turn on the sound") retries.
 */
export function RoomAudio({ stream, attempt, onBlocked }: { stream: MediaStream; attempt: number; onBlocked: () => void }) {
  const ref = useRef<HTMLAudioElement>(null);
  const blocked = useRef(onBlocked);
  blocked.current = onBlocked;
  useEffect(() => {
    const audio = ref.current;
    if (!audio) return;
    if (audio.srcObject !== stream) audio.srcObject = stream;
    audio.play().catch((error: unknown) => {
      // An AbortError only means a newer stream took over; NotAllowedError is the autoplay policy.
      if (error instanceof DOMException && error.name === 'NotAllowedError') blocked.current();
    });
  }, [stream, attempt]);
  return <audio ref={ref} autoPlay />;
}
