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

    /// Checks both values; throws ``CollectorError/invalidArgument(_:)`` naming the bad one.
    public init(interval: String? = nil, node: String? = nil) throws {
        if let interval, !MisoCTSCollector.isValidInterval(interval) {
            throw CollectorError.invalidArgument(
                "invalid interval \(Self.quoted(interval)) for miso.cts: expected HH:MM with hour 00-23 and minutes on the 5-minute grid (00, 05, ..., 55), e.g. 14:35")
        }
        if let node { try Self.checkNode(node) }
        self.interval = interval
        self.node = node
    }

    /// Reads filters by name; throws for names other than `interval` and `node`.
    public init(_ values: [String: String]) throws {
        for name in values.keys.sorted() where !Self.names.contains(name) {
            throw CollectorError.invalidArgument(
                "unknown filter \(Self.quoted(name)) for miso.cts: accepted filters are \(Self.names.joined(separator: ", "))")
        }
        try self.init(interval: values["interval"], node: values["node"])
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

    private static func checkNode(_ node: String) throws {
        if node.allSatisfy(\.isWhitespace) {
            throw CollectorError.invalidArgument(
                "invalid node \(quoted(node)) for miso.cts: the node must not be empty; give an interface node name such as MISO.PJM.INTERFACE1")
        }
        if node.count > maxNodeLength {
            throw CollectorError.invalidArgument(
                "invalid node \(quoted(String(node.prefix(40))))… for miso.cts: \(node.count) characters is longer than the \(maxNodeLength) accepted")
        }
        if node.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            throw CollectorError.invalidArgument(
                "invalid node \(quoted(node)) for miso.cts: control characters (newlines, tabs, NUL...) are not accepted in a node name")
        }
    }

    /// The value in quotes with control characters escaped, so a message stays on one line.
    static func quoted(_ text: String) -> String {
        String(reflecting: text)
    }
}
