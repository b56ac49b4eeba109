/// The collector types a runner knows, by type name. The runner fills it from one list
/// (`Collectors.builtIn`); tests can register types of their own.
public struct CollectorCatalog: Sendable {
    public private(set) var types: [String: any Collector.Type] = [:]

    public init(_ types: [any Collector.Type] = []) {
        for type in types { register(type) }
    }

    /// Adds a collector type under its `typeName` (a later registration of the same name wins).
    public mutating func register(_ type: any Collector.Type) {
        types[type.typeName] = type
    }

    /// The type registered under `typeName`.
    public func type(named typeName: String) -> (any Collector.Type)? {
        types[typeName]
    }

    /// Registered type names, sorted.
    public var typeNames: [String] { types.keys.sorted() }
}

extension CollectorCatalog {
    /// Each registered type's declared parameters, by type name (for checking `collectors.yaml`).
    public var declaredParameters: [String: [CollectorParameter]] { types.mapValues { $0.parameters } }
}
