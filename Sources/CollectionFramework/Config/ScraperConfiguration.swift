import Foundation
import Yams

/// `collectors.yaml`, resolved for one environment.
///
/// Layers, lowest first: built-in defaults < `defaults:` < `environments.<env>:` < the spec's
/// environment variables (S3_BUCKET, REDIS_HOST, REDIS_PORT, AWS_PROFILE, KAFKA_CONNECTION_STRING)
/// < command-line flags (applied by the runner). Each collector's `http`/`retry`/`pipeline` lie
/// over the environment's.
public struct ScraperConfiguration: Sendable, Equatable {
    public static let defaultFileName = "collectors.yaml"
    public static let topLevelKeys = ["defaults", "environments", "collectors", "serve"]
    public static let sectionKeys = ["storage", "registry", "notifications", "http", "retry", "pipeline"]
    public static let collectorKeys = ["type", "enabled", "schedule", "timezone", "api_url", "parameters", "rule_severity", "http", "retry", "pipeline"]

    /// `dev`, `staging` or `prod`.
    public var environment: String
    /// The file read, or nil when none was (built-in defaults).
    public var file: String?
    /// Storage, registry, notification and shared HTTP/retry/pipeline settings.
    public var settings: SettingsLayer
    /// Configured collectors in file order.
    public var collectors: [CollectorEntry]
    /// The top-level `serve:` section (for `scraper serve`).
    public var serve = ServeSettings()

    public init(environment: String, file: String?, settings: SettingsLayer, collectors: [CollectorEntry]) {
        self.environment = environment
        self.file = file
        self.settings = settings
        self.collectors = collectors
    }

    /// Loads and checks `path` for `environment`. `knownTypes` are the registered collector types;
    /// `variables` is the process environment (for `${VAR}` and the spec's variables);
    /// `parameters` the declared parameters of each type (``CollectorCatalog/declaredParameters``),
    /// against which each entry's `parameters:` are checked (a type missing from it is not checked here).
    public static func load(path: String, environment: String, variables: [String: String],
                            knownTypes: [String], parameters: [String: [CollectorParameter]] = [:]) throws -> ScraperConfiguration {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigError(file: path, "cannot read the configuration file: \(error.localizedDescription); pass --config PATH")
        }
        return try parse(text, file: path, environment: environment, variables: variables, knownTypes: knownTypes, parameters: parameters)
    }

    /// What ``check(path:environment:variables:knownTypes:)`` found: the configuration when there is
    /// no problem, and every problem otherwise (each with file, line and column where known).
    public struct CheckResult: Sendable {
        public var configuration: ScraperConfiguration?
        public var problems: [ConfigError]

        public init(configuration: ScraperConfiguration?, problems: [ConfigError]) {
            self.configuration = configuration
            self.problems = problems
        }
    }

    /// Like ``load(path:environment:variables:knownTypes:)`` but goes on past a problem to report them all.
    public static func check(path: String, environment: String, variables: [String: String], knownTypes: [String],
                             parameters: [String: [CollectorParameter]] = [:]) -> CheckResult {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            return CheckResult(configuration: nil, problems: [ConfigError(file: path, "cannot read the configuration file: \(error.localizedDescription); pass --config PATH")])
        }
        return check(text, file: path, environment: environment, variables: variables, knownTypes: knownTypes, parameters: parameters)
    }

    /// Checks configuration text; see ``check(path:environment:variables:knownTypes:)``.
    public static func check(_ text: String, file: String, environment: String, variables: [String: String],
                             knownTypes: [String], parameters: [String: [CollectorParameter]] = [:]) -> CheckResult {
        let problems = ConfigProblemList()
        let configuration: ScraperConfiguration?
        do {
            configuration = try problems.collect {
                try parse(text, file: file, environment: environment, variables: variables, knownTypes: knownTypes,
                          parameters: parameters, problems: problems)
            }
        } catch {
            problems.add(ConfigError(file: file, "\(error)"))
            configuration = nil
        }
        // In document order (problems of a section are found after the sections it depends on).
        let all = problems.all.enumerated().sorted { a, b in
            let x = (a.element.line ?? Int.max, a.element.column ?? 0, a.offset), y = (b.element.line ?? Int.max, b.element.column ?? 0, b.offset)
            return x < y
        }.map(\.element)
        return CheckResult(configuration: all.isEmpty ? configuration : nil, problems: all)
    }

    /// Parses configuration text; see ``load(path:environment:variables:knownTypes:)``.
    public static func parse(_ text: String, file: String, environment: String, variables: [String: String],
                             knownTypes: [String], parameters: [String: [CollectorParameter]] = [:]) throws -> ScraperConfiguration {
        try parse(text, file: file, environment: environment, variables: variables, knownTypes: knownTypes,
                  parameters: parameters, problems: nil)
    }

    static func parse(_ text: String, file: String, environment: String, variables: [String: String],
                      knownTypes: [String], parameters: [String: [CollectorParameter]], problems: ConfigProblemList?) throws -> ScraperConfiguration {
        guard RegistryKey.environments.contains(environment) else {
            throw ConfigError("unknown environment \(environment.debugDescription): use dev, staging or prod")
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw yamlError(error, file: file)
        }
        var settings = SettingsLayer()
        var collectors: [CollectorEntry] = []
        var serve = ServeSettings()
        /// Records a problem when collecting them all, else throws it.
        func attempt(_ body: () throws -> Void) throws {
            guard let problems else { return try body() }
            try problems.collect(body)
        }
        if let root {
            let top = try ConfigMapping(root, path: "", file: file, environment: variables, interpolate: true, problems: problems)
            try top.allowOnly(topLevelKeys)
            if let defaults = try top.mapping("defaults") {
                settings.overlay(try layer(defaults, allowed: sectionKeys))
            }
            if let environments = try top.mapping("environments") {
                try environments.allowOnly(RegistryKey.environments)
                for name in environments.keys {
                    guard let node = environments.node(name) else { continue }
                    if node.null != nil { continue }
                    try attempt {
                        let section = try ConfigMapping(node, path: "environments.\(name)", file: file,
                                                        environment: variables, interpolate: name == environment, problems: problems)
                        let parsed = try layer(section, allowed: sectionKeys)
                        if name == environment { settings.overlay(parsed) }
                    }
                }
            }
            try attempt { settings.overlay(try environmentVariableLayer(variables)) }
            if let s = try top.mapping("serve") { serve = try serveSettings(s) }
            if let entries = try top.mapping("collectors") {
                for name in entries.keys {
                    guard let node = entries.node(name) else { continue }
                    try attempt {
                        let entry = try ConfigMapping(node, path: "collectors.\(name)", file: file, environment: variables,
                                                      interpolate: true, problems: problems)
                        if let parsed = try collector(name: name, entry, shared: settings, knownTypes: knownTypes, parameters: parameters) {
                            collectors.append(parsed)
                        }
                    }
                }
            }
        } else {
            try attempt { settings.overlay(try environmentVariableLayer(variables)) }
        }
        var configuration = ScraperConfiguration(environment: environment, file: file, settings: settings, collectors: collectors)
        configuration.serve = serve
        return configuration
    }

    /// Built-in defaults only (no file): every registered type as an enabled collector named after it.
    public static func builtIn(environment: String, variables: [String: String], knownTypes: [String]) throws -> ScraperConfiguration {
        var settings = SettingsLayer()
        settings.overlay(try environmentVariableLayer(variables))
        let collectors = knownTypes.map { CollectorEntry(name: defaultName(forType: $0), type: $0) }
        return ScraperConfiguration(environment: environment, file: nil, settings: settings, collectors: collectors)
    }

    /// `miso.cts` → `miso-cts`: the name a registered type answers to when no entry names it.
    public static func defaultName(forType type: String) -> String {
        type.replacingOccurrences(of: ".", with: "-").replacingOccurrences(of: "_", with: "-")
    }

    /// The configured entry called `name`, else an entry made for a registered type of that name.
    public func collector(named name: String, knownTypes: [String]) -> CollectorEntry? {
        if let entry = collectors.first(where: { $0.name == name }) { return entry }
        guard let type = knownTypes.first(where: { $0 == name || ScraperConfiguration.defaultName(forType: $0) == name }) else { return nil }
        var entry = CollectorEntry(name: ScraperConfiguration.defaultName(forType: type), type: type)
        entry.http = settings.http
        entry.retry = settings.retry
        entry.pipeline = settings.pipeline
        return entry
    }

    /// The spec's environment variables as a settings layer.
    static func environmentVariableLayer(_ variables: [String: String]) throws -> SettingsLayer {
        var layer = SettingsLayer()
        if let bucket = variables["S3_BUCKET"], !bucket.isEmpty {
            layer.storage.type = .s3
            layer.storage.bucket = bucket
        }
        if let profile = variables["AWS_PROFILE"], !profile.isEmpty { layer.storage.profile = profile }
        if let host = variables["REDIS_HOST"], !host.isEmpty {
            layer.registry.type = .redis
            layer.registry.host = host
        }
        if let port = variables["REDIS_PORT"], !port.isEmpty {
            guard let value = Int(port), (1...65535).contains(value) else {
                throw ConfigError("REDIS_PORT must be a port number 1-65535, not \(port.debugDescription)")
            }
            layer.registry.port = value
        }
        if let password = variables["REDIS_PASSWORD"], !password.isEmpty { layer.registry.password = password }
        if let kafka = variables["KAFKA_CONNECTION_STRING"], !kafka.isEmpty {
            layer.notifications.type = .kafka
            layer.notifications.connectionString = kafka
        }
        return layer
    }

    static func layer(_ m: ConfigMapping, allowed: [String]) throws -> SettingsLayer {
        try m.allowOnly(allowed)
        var layer = SettingsLayer()
        if let s = try m.mapping("storage") {
            try s.allowOnly(StorageSettings.keys)
            layer.storage.type = try s.kind("type", StorageKind.self)
            layer.storage.path = try s.string("path")
            layer.storage.bucket = try s.string("bucket")
            layer.storage.region = try s.string("region")
            layer.storage.endpointURL = try s.string("endpoint_url")
            layer.storage.profile = try s.string("profile")
            layer.storage.sse = try s.choice("sse", S3ServerSideEncryption.names)
            layer.storage.kmsKeyID = try s.string("kms_key_id")
        }
        if let r = try m.mapping("registry") {
            try r.allowOnly(RegistrySettings.keys)
            layer.registry.type = try r.kind("type", RegistryKind.self)
            layer.registry.path = try r.string("path")
            layer.registry.host = try r.string("host")
            layer.registry.port = try r.int("port", in: 1...65535)
            layer.registry.db = try r.int("db", in: 0...1023)
            layer.registry.username = try r.string("username")
            layer.registry.password = try r.string("password")
            layer.registry.ttlDays = try r.int("ttl_days", in: 1...36500)
            layer.registry.connectTimeout = try r.double("connect_timeout", in: 0.001...600)
            layer.registry.commandTimeout = try r.double("command_timeout", in: 0.001...600)
            layer.registry.claimTTL = try r.int("claim_ttl", in: 1...86400)
            layer.registry.allowMixedSharing = try r.bool("allow_mixed_sharing")
        }
        if let n = try m.mapping("notifications") {
            try n.allowOnly(NotificationSettings.keys)
            layer.notifications.type = try n.kind("type", NotifierKind.self)
            layer.notifications.connectionString = try n.string("connection_string")
            layer.notifications.topic = try n.string("topic")
            layer.notifications.securityProtocol = try n.choice("security_protocol", ["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"])
            layer.notifications.saslMechanism = try n.choice("sasl_mechanism", ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"])
            layer.notifications.deliveryTimeout = try n.double("delivery_timeout", in: 0.1...600)
            layer.notifications.properties = try n.stringMap("properties")
        }
        if let h = try m.mapping("http") { layer.http = try http(h) }
        if let r = try m.mapping("retry") { layer.retry = try retry(r) }
        if let p = try m.mapping("pipeline") { layer.pipeline = try pipeline(p) }
        return layer
    }

    static func http(_ h: ConfigMapping) throws -> HTTPSettings {
        try h.allowOnly(HTTPSettings.keys)
        var s = HTTPSettings()
        s.userAgent = try h.string("user_agent")
        s.connectTimeout = try h.double("connect_timeout", in: 0.001...600)
        s.timeout = try h.double("timeout", in: 0.001...3600)
        s.maxResponseBytes = try h.int("max_response_bytes", in: 1024...(1 << 40))
        s.rateLimitPerMinute = try h.double("rate_limit_per_minute", in: 0...600_000)
        s.rateLimitGroup = try h.string("rate_limit_group")
        s.caBundle = try h.string("ca_bundle")
        return s
    }

    static func retry(_ r: ConfigMapping) throws -> RetrySettings {
        try r.allowOnly(RetrySettings.keys)
        var s = RetrySettings()
        s.maxAttempts = try r.int("max_attempts", in: 1...100)
        s.baseDelay = try r.double("base_delay", in: 0...3600)
        s.maxDelay = try r.double("max_delay", in: 0...86400)
        s.maxRetryAfter = try r.double("max_retry_after", in: 0...86400)
        return s
    }

    static func pipeline(_ p: ConfigMapping) throws -> PipelineSettings {
        try p.allowOnly(PipelineSettings.keys)
        var s = PipelineSettings()
        s.concurrency = try p.int("concurrency", in: 1...256)
        s.gzipLevel = try p.int("gzip_level", in: 0...9)
        s.quarantineRejected = try p.bool("quarantine_rejected")
        return s
    }

    static func serveSettings(_ m: ConfigMapping) throws -> ServeSettings {
        try m.allowOnly(ServeSettings.keys)
        var s = ServeSettings()
        s.host = try m.string("host")
        if let host = s.host, !ServeSettings.isIPv4(host) {
            try m.report(m.error(m.node("host"), "serve.host must be a dotted IPv4 address such as 127.0.0.1 (or 0.0.0.0 in a container), not \(host.debugDescription)"))
            s.host = nil
        }
        s.port = try m.int("port", in: 0...65535)
        s.jitterSeconds = try m.double("jitter_seconds", in: 0...3600)
        s.statePath = try m.string("state_path")
        return s
    }

    /// The entry, or nil when a problem was recorded (only while collecting problems).
    static func collector(name: String, _ m: ConfigMapping, shared: SettingsLayer, knownTypes: [String],
                          parameters declarations: [String: [CollectorParameter]]) throws -> CollectorEntry? {
        try m.allowOnly(collectorKeys)
        guard name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            try m.report(m.error(nil, "collector name \(name.debugDescription) may use only letters, digits, '-' and '_'"))
            return nil
        }
        // A missing or unknown type is recorded, and the rest of the entry is still checked.
        var typeKnown = false
        let type = try m.string("type")
        if let type, !knownTypes.contains(type) {
            try m.report(m.error(m.node("type"), "collectors.\(name).type \(type.debugDescription) is not a registered collector type; known types: \(knownTypes.isEmpty ? "none in this build" : knownTypes.joined(separator: ", "))"))
        } else if type == nil {
            try m.report(m.error(nil, "collectors.\(name) needs a type (one of: \(knownTypes.isEmpty ? "none in this build" : knownTypes.joined(separator: ", ")))"))
        } else {
            typeKnown = true
        }
        var entry = CollectorEntry(name: name, type: type ?? "")
        entry.enabled = try m.bool("enabled") ?? Defaults.collectorEnabled
        entry.schedule = try m.string("schedule")
        if let schedule = entry.schedule {
            do { _ = try CronExpression(schedule) } catch {
                try m.report(m.error(m.node("schedule"), "collectors.\(name).schedule: \(error)"))
            }
        }
        entry.timezone = try m.string("timezone")
        if let zone = entry.timezone, TimeZone(identifier: zone) == nil {
            try m.report(m.error(m.node("timezone"), "collectors.\(name).timezone \(zone.debugDescription) is not an IANA time zone name; "
                                 + "write one like America/Chicago or Europe/Berlin, or leave it out for UTC"))
        }
        entry.apiURL = try m.string("api_url")
        if let url = entry.apiURL, !CollectorConfiguration.isHTTPAddress(url) {
            try m.report(m.error(m.node("api_url"), "collectors.\(name).api_url must start with http:// or https://, not \(url.debugDescription)"))
        }
        entry.parameters = try m.stringMap("parameters") ?? [:]
        // `scraper config check` reports bad parameters here, with positions; `run` and `serve` check
        // them when they prepare a collector (so a disabled entry never stops a run).
        if m.problems != nil, typeKnown, let type, let declared = declarations[type], let section = try m.mapping("parameters") {
            try checkParameters(section, declared: declared, type: type)
        }
        for (rule, text) in try m.stringMap("rule_severity") ?? [:] {
            guard let severity = RuleSeverity(rawValue: text) else {
                try m.report(m.error(m.node("rule_severity"), "collectors.\(name).rule_severity.\(rule): \(text.debugDescription) is not a severity; write error or warning"))
                continue
            }
            entry.ruleSeverity[rule] = severity
        }
        entry.http = shared.http
        entry.retry = shared.retry
        entry.pipeline = shared.pipeline
        if let h = try m.mapping("http") { entry.http.overlay(try http(h)) }
        if let r = try m.mapping("retry") { entry.retry.overlay(try retry(r)) }
        if let p = try m.mapping("pipeline") { entry.pipeline.overlay(try pipeline(p)) }
        return typeKnown ? entry : nil
    }

    /// Each of an entry's `parameters:` against its type's declaration, reported at the key (unknown
    /// name) or the value (refused value).
    static func checkParameters(_ section: ConfigMapping, declared: [CollectorParameter], type: String) throws {
        for key in section.keys {
            guard let parameter = declared.first(where: { $0.name == key }) else {
                let keyNode = section.mapping.first { $0.key.scalar?.string == key }?.key
                let hint = declared.map(\.name).first { $0.lowercased() == key.lowercased() || ConfigMapping.closeEnough($0, key) }
                try section.report(section.error(keyNode, "unknown key '\(key)' in \(section.path)"
                    + (hint.map { " (did you mean '\($0)'?)" } ?? "")
                    + "; \(type) accepts " + (declared.isEmpty ? "no parameters" : "only: \(declared.map(\.name).joined(separator: ", "))")))
                continue
            }
            guard let value = try section.string(key), let problem = parameter.problem(with: value) else { continue }
            try section.report(section.error(section.node(key), "\(section.path).\(key): invalid \(key) \(CollectorParameter.quoted(value)) for \(type): \(problem)"))
        }
    }

    static func yamlError(_ error: YamlError, file: String) -> ConfigError {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _):
            return ConfigError(file: file, line: mark.line, column: mark.column, "YAML syntax error: \(problem)")
        default:
            return ConfigError(file: file, "YAML error: \(error)")
        }
    }
}
