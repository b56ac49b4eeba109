import CollectionFramework

/// The CTS filters of one request (`interval`, `node`), checked: every value here is one the
/// collector will send.
public struct MisoCTSFilters: Sendable, Equatable {
    /// Filter names the collector understands, in the order they are sent after `date`.
    public static let names = ["interval", "node"]
    /// Longest node name accepted.
    public static let maxNodeLength = 200

    /// A 5-minute market interval, `HH:MM`.
    public let interval: String?
    /// A MISO-PJM interface node, e.g. `MISO.PJM.INTERFACE1`.
    public let node: String?

    /// Checks both values against ``MisoCTSCollector/parameters``; throws
    /// ``CollectorError/invalidArgument(_:)`` naming the bad one.
    public init(interval: String? = nil, node: String? = nil) throws {
        var values: [String: String] = [:]
        values["interval"] = interval
        values["node"] = node
        try self.init(values)
    }

    /// Reads filters by name, checked against ``MisoCTSCollector/parameters``; throws for names other
    /// than `interval` and `node` and for values they refuse.
    public init(_ values: [String: String]) throws {
        try CollectorParameter.check(values, against: MisoCTSCollector.parameters, collector: MisoCTSCollector.typeName)
        self.interval = values["interval"]
        self.node = values["node"]
    }

    /// `interval` and `node` as query parameters, in that order, skipping absent ones.
    public var queryParameters: [QueryParameter] {
        var out: [QueryParameter] = []
        if let interval { out.append(QueryParameter("interval", interval)) }
        if let node { out.append(QueryParameter("node", node)) }
        return out
    }

    /// Identifier parts: `int1435`, then the sanitised node.
    public var identifierParts: [String] {
        var out: [String] = []
        if let interval { out.append("int" + interval.replacingOccurrences(of: ":", with: "")) }
        if let node { out.append(IdentifierComponent.sanitize(node)) }
        return out
    }

    /// Why `node` is refused as a node name, or nil: the collector's own check of `node`.
    @Sendable public static func nodeProblem(_ node: String) -> String? {
        if node.allSatisfy(\.isWhitespace) {
            return "the node must not be empty; give an interface node name such as MISO.PJM.INTERFACE1"
        }
        if node.count > maxNodeLength {
            return "\(node.count) characters is longer than the \(maxNodeLength) accepted"
        }
        if node.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return "control characters (newlines, tabs, NUL...) are not accepted in a node name"
        }
        return nil
    }
}
