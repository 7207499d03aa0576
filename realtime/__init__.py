"""The socket edge: the Socket.IO server, its namespaces, presence and replay."""
