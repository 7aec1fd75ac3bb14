"""Ways into the exchange: HTTP/WebSocket, gRPC and the binary TCP protocol."""
