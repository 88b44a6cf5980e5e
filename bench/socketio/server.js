// The comparison server: Socket.IO 4 relaying the same workload, without persistence or auth.
// `send` (room, body) goes to everyone else in the room; `join` (room) joins it.
// With REDIS_URL set it uses the Redis adapter, for the two-node comparison.
const { Server } = require("socket.io");
const port = Number(process.env.PORT || 3000);
const io = new Server(port, { serveClient: false, transports: ["websocket"] });
if (process.env.REDIS_URL) {
  const { createAdapter } = require("@socket.io/redis-adapter");
  const { createClient } = require("redis");
  const pub = createClient({ url: process.env.REDIS_URL });
  const sub = pub.duplicate();
  Promise.all([pub.connect(), sub.connect()]).then(() => io.adapter(createAdapter(pub, sub)));
}
io.on("connection", (socket) => {
  socket.on("join", (room) => socket.join(room));
  socket.on("send", (room, body) => socket.to(room).emit("msg", body));
});
console.log(`socket.io listening on ${port}`);
