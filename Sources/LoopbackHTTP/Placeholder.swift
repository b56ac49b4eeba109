// placeholder until the server lands
public enum LoopbackHTTPPlaceholder {}
