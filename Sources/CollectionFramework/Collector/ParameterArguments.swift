/// `scraper run --param NAME=VALUE` (repeatable) and the alias flags that stand for a parameter
/// (CTS's `--interval 14:35` is `--param interval=14:35`), read into one set of values. The values
/// are checked later, against the collector's declaration (``CollectorParameter/check(_:against:collector:)``).
public enum ParameterArguments {
    /// An alias flag and the value it was given (nil when absent).
    public struct Alias: Sendable, Equatable {
        public var flag: String
        public var parameter: String
        public var value: String?
        public init(flag: String, parameter: String, value: String?) {
            self.flag = flag
            self.parameter = parameter
            self.value = value
        }
    }

    /// Reads `NAME=VALUE` arguments and aliases; throws ``ConfigError`` for an argument without
    /// `=` or a name, and for one name given two different values.
    public static func parse(_ arguments: [String], aliases: [Alias] = []) throws -> [String: String] {
        var values: [String: String] = [:]
        var givenBy: [String: String] = [:]
        func add(_ name: String, _ value: String, by source: String) throws {
            if let previous = values[name], previous != value {
                throw ConfigError("\(name) is given twice (\(givenBy[name]!) and \(source)); give it once")
            }
            values[name] = value
            givenBy[name] = givenBy[name] ?? source
        }
        for alias in aliases {
            if let value = alias.value { try add(alias.parameter, value, by: "\(alias.flag) \(value)") }
        }
        for argument in arguments {
            guard let equals = argument.firstIndex(of: "="), equals != argument.startIndex else {
                throw ConfigError("--param \(String(reflecting: argument)) must be NAME=VALUE, e.g. --param interval=14:35")
            }
            let name = String(argument[..<equals]), value = String(argument[argument.index(after: equals)...])
            try add(name, value, by: "--param \(argument)")
        }
        return values
    }
}
