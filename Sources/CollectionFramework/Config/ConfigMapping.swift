import Yams

/// Reads one YAML mapping with typed getters whose errors carry file, line and column, refusing
/// unknown keys. Scalars are interpolated (`${VAR}`) when `interpolate` is on; sections that are
/// not in use are checked for shape only.
///
/// With a ``ConfigProblemList`` attached, a getter that finds a problem records it and answers nil
/// instead of throwing, so `scraper config check` can report every problem in one pass.
struct ConfigMapping {
    let mapping: Node.Mapping
    let path: String
    let file: String
    let environment: [String: String]
    let interpolate: Bool
    let mark: Mark?
    let problems: ConfigProblemList?

    init(_ node: Node, path: String, file: String, environment: [String: String], interpolate: Bool,
         problems: ConfigProblemList? = nil) throws {
        guard case .mapping(let mapping) = node else {
            throw ConfigError(file: file, line: node.mark?.line, column: node.mark?.column,
                              "\(path.isEmpty ? "the document" : path) must be a mapping of keys to values")
        }
        self.mapping = mapping
        self.path = path
        self.file = file
        self.environment = environment
        self.interpolate = interpolate
        self.mark = node.mark
        self.problems = problems
    }

    /// Records `problem` when collecting problems (and returns), else throws it.
    func report(_ problem: ConfigError) throws {
        guard let problems else { throw problem }
        problems.add(problem)
    }

    func error(_ node: Node?, _ message: String) -> ConfigError {
        let m = node?.mark ?? mark
        return ConfigError(file: file, line: m?.line, column: m?.column, message)
    }

    private func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// Keys present, in document order.
    var keys: [String] { mapping.compactMap { $0.key.scalar?.string } }

    /// Refuses any key not in `allowed`.
    func allowOnly(_ allowed: [String]) throws {
        for (key, _) in mapping {
            guard let text = key.scalar?.string else { try report(error(key, "keys in \(path) must be plain strings")); continue }
            if !allowed.contains(text) {
                let hint = allowed.first { $0.lowercased() == text.lowercased() || Self.closeEnough($0, text) }
                try report(error(key, "unknown key '\(text)' in \(path.isEmpty ? "the top level" : path)"
                            + (hint.map { " (did you mean '\($0)'?)" } ?? "")
                            + "; expected one of: \(allowed.joined(separator: ", "))"))
            }
        }
    }

    static func closeEnough(_ a: String, _ b: String) -> Bool {
        let x = Array(a), y = Array(b)
        guard abs(x.count - y.count) <= 2 else { return false }
        var previous = Array(0...y.count)
        for i in 1...max(1, x.count) where !x.isEmpty {
            var current = [i] + Array(repeating: 0, count: y.count)
            for j in 1...max(1, y.count) where !y.isEmpty {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[y.count] <= 2
    }

    func node(_ key: String) -> Node? { mapping[key] }

    /// The scalar at `key` after interpolation; nil when absent, null or empty.
    func string(_ key: String) throws -> String? {
        guard let node = mapping[key] else { return nil }
        guard let scalar = node.scalar else { try report(error(node, "\(name(key)) must be a single value, not a list or mapping")); return nil }
        if node.null != nil { return nil }
        let text: String
        if interpolate {
            do { text = try VariableInterpolation.expand(scalar.string, environment: environment) } catch let e as ConfigError {
                try report(error(node, "\(name(key)): \(e.message)"))
                return nil
            }
        } else {
            text = scalar.string
        }
        return text.isEmpty ? nil : text
    }

    /// True when the value is an uninterpolated `${…}` we cannot type-check yet.
    private func deferred(_ key: String) -> Bool {
        !interpolate && (mapping[key]?.scalar?.string.contains("${") ?? false)
    }

    func int(_ key: String, in range: ClosedRange<Int>) throws -> Int? {
        guard !deferred(key), let text = try string(key) else { return nil }
        guard let value = Int(text) else { try report(error(mapping[key], "\(name(key)) must be a whole number, not \(text.debugDescription)")); return nil }
        guard range.contains(value) else {
            try report(error(mapping[key], "\(name(key)) must be between \(range.lowerBound) and \(range.upperBound), not \(value)"))
            return nil
        }
        return value
    }

    func double(_ key: String, in range: ClosedRange<Double>) throws -> Double? {
        guard !deferred(key), let text = try string(key) else { return nil }
        guard let value = Double(text), value.isFinite else {
            try report(error(mapping[key], "\(name(key)) must be a number, not \(text.debugDescription)"))
            return nil
        }
        guard range.contains(value) else {
            try report(error(mapping[key], "\(name(key)) must be between \(range.lowerBound) and \(range.upperBound), not \(text)"))
            return nil
        }
        return value
    }

    func bool(_ key: String) throws -> Bool? {
        guard !deferred(key), let text = try string(key) else { return nil }
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default:
            try report(error(mapping[key], "\(name(key)) must be true or false, not \(text.debugDescription)"))
            return nil
        }
    }

    func choice(_ key: String, _ allowed: [String]) throws -> String? {
        guard !deferred(key), let text = try string(key) else { return nil }
        guard allowed.contains(text) else {
            try report(error(mapping[key], "\(name(key)) must be one of \(allowed.joined(separator: ", ")), not \(text.debugDescription)"))
            return nil
        }
        return text
    }

    /// One of the spellings of `kind` (a backend type), as its case.
    func kind<K: CaseIterable & RawRepresentable>(_ key: String, _ kind: K.Type) throws -> K? where K.RawValue == String {
        try choice(key, K.spellings).flatMap(K.init(rawValue:))
    }

    func mapping(_ key: String) throws -> ConfigMapping? {
        guard let node = mapping[key] else { return nil }
        if node.null != nil { return nil }
        do {
            return try ConfigMapping(node, path: name(key), file: file, environment: environment, interpolate: interpolate, problems: problems)
        } catch let problem as ConfigError {
            try report(problem)
            return nil
        }
    }

    /// A mapping of plain string values (collector parameters, extra Kafka properties).
    func stringMap(_ key: String) throws -> [String: String]? {
        guard let sub = try mapping(key) else { return nil }
        var out: [String: String] = [:]
        for k in sub.keys { out[k] = try sub.string(k) ?? "" }
        return out
    }
}
