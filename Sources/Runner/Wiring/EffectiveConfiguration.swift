import CollectionFramework

/// Renders the effective configuration as YAML-ish text with secrets masked: every layer applied,
/// ``Defaults`` filling the gaps.
enum EffectiveConfiguration {
    static func render(_ c: ScraperConfiguration) -> String {
        let s = c.settings
        var lines = ["environment: \(c.environment)", "storage:"]
        func add(_ key: String, _ value: Any?, indent: String = "  ") {
            if let value { lines.append("\(indent)\(key): \(value)") }
        }
        let storage = s.storage.type ?? Defaults.storageKind
        add("type", storage.rawValue); add("path", storage == .local ? (s.storage.path ?? Defaults.dataDirectory) : nil)
        add("bucket", s.storage.bucket); add("region", s.storage.region); add("endpoint_url", s.storage.endpointURL); add("profile", s.storage.profile)
        add("sse", s.storage.sse); add("kms_key_id", s.storage.kmsKeyID)
        lines.append("registry:")
        let registry = s.registry.type ?? Defaults.registryKind
        add("type", registry.rawValue); add("path", registry == .embedded ? (s.registry.path ?? Defaults.registryPath) : nil)
        add("host", s.registry.host); add("port", s.registry.port); add("db", s.registry.db); add("username", s.registry.username)
        add("password", s.registry.password.map { _ in SecretRedactor.mask }); add("ttl_days", s.registry.ttlDays ?? Defaults.registryTTLDays)
        lines.append("notifications:")
        add("type", (s.notifications.type ?? Defaults.notifierKind).rawValue)
        add("connection_string", s.notifications.connectionString.map { SecretRedactor.shared.redact($0) })
        add("topic", s.notifications.topic)
        lines.append("serve:")
        add("host", c.serve.host ?? Defaults.serveHost); add("port", c.serve.port ?? Defaults.servePort)
        add("jitter_seconds", c.serve.jitterSeconds ?? Defaults.jitterSeconds)
        add("state_path", c.serve.statePath ?? CollectionDaemon.defaultStatePath(registry: s.resolvedRegistry(), environment: c.environment))
        lines.append("collectors:")
        for e in c.collectors {
            let r = s.resolved(e)
            lines.append("  \(e.name):")
            add("type", e.type, indent: "    "); add("enabled", e.enabled, indent: "    "); add("schedule", e.schedule ?? "\(Defaults.schedule) (default)", indent: "    ")
            add("api_url", e.apiURL, indent: "    ")
            if !e.parameters.isEmpty { add("parameters", e.parameters.keys.sorted().map { "\($0)=\(e.parameters[$0]!)" }.joined(separator: ", "), indent: "    ") }
            add("rate_limit_per_minute", r.rateLimitPerMinute, indent: "    ")
            add("retry", "max_attempts=\(r.retryPolicy.maxAttempts) base_delay=\(r.retryPolicy.baseDelay) max_delay=\(r.retryPolicy.maxDelay)", indent: "    ")
        }
        return SecretRedactor.shared.redact(lines.joined(separator: "\n"))
    }
}
