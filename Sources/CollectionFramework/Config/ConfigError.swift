/// A problem in `collectors.yaml` or in a command-line value, with where it is and what to do.
public struct ConfigError: Error, Equatable, CustomStringConvertible {
    public var file: String?
    public var line: Int?
    public var column: Int?
    public var message: String

    public init(file: String? = nil, line: Int? = nil, column: Int? = nil, _ message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    /// `collectors.yaml:12:5: unknown key 'buckt' in storage (expected one of: …)`.
    public var description: String {
        var place = file ?? ""
        if let line { place += ":\(line)" }
        if let column { place += ":\(column)" }
        return place.isEmpty ? message : "\(place): \(message)"
    }
}
