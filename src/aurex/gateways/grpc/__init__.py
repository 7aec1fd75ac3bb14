"""The gRPC gateway: ``aurex.v1.StockService`` (stock_service.proto) on the engine port."""
