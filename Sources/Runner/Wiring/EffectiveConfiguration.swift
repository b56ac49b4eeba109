import CollectionFramework

/// Renders the effective configuration as YAML-ish text with secrets masked.
enum EffectiveConfiguration {
    static func render(_ c: ScraperConfiguration) -> String {
        let s = c.settings
        var lines = ["environment: \(c.environment)", "storage:"]
        func add(_ key: String, _ value: Any?, indent: String = "  ") {
            if let value { lines.append("\(indent)\(key): \(value)") }
        }
        add("type", s.storage.type ?? "local"); add("path", s.storage.type == "s3" ? nil : (s.storage.path ?? "./data"))
        add("bucket", s.storage.bucket); add("region", s.storage.region); add("endpoint_url", s.storage.endpointURL); add("profile", s.storage.profile)
        lines.append("registry:")
        add("type", s.registry.type ?? "embedded"); add("path", s.registry.type == "redis" ? nil : (s.registry.path ?? "./data/registry.sqlite3"))
        add("host", s.registry.host); add("port", s.registry.port); add("db", s.registry.db); add("username", s.registry.username)
        add("password", s.registry.password.map { _ in SecretRedactor.mask }); add("ttl_days", s.registry.ttlDays ?? 365)
        lines.append("notifications:")
        add("type", s.notifications.type ?? "none")
        add("connection_string", s.notifications.connectionString.map { SecretRedactor.shared.redact($0) })
        add("topic", s.notifications.topic)
        lines.append("serve:")
        add("host", c.serve.host ?? ServeSettings.defaultHost); add("port", c.serve.port ?? ServeSettings.defaultPort)
        add("jitter_seconds", c.serve.jitterSeconds ?? ServeSettings.defaultJitterSeconds)
        add("state_path", c.serve.statePath ?? CollectionDaemon.defaultStatePath(registry: s.registry, environment: c.environment))
        lines.append("collectors:")
        for e in c.collectors {
            lines.append("  \(e.name):")
            add("type", e.type, indent: "    "); add("enabled", e.enabled, indent: "    "); add("schedule", e.schedule ?? "\(CollectionDaemon.defaultSchedule) (default)", indent: "    ")
            add("api_url", e.apiURL, indent: "    ")
            if !e.parameters.isEmpty { add("parameters", e.parameters.keys.sorted().map { "\($0)=\(e.parameters[$0]!)" }.joined(separator: ", "), indent: "    ") }
            add("rate_limit_per_minute", e.http.rateLimitPerMinute ?? 0, indent: "    ")
            add("retry", "max_attempts=\(e.retry.policy.maxAttempts) base_delay=\(e.retry.policy.baseDelay) max_delay=\(e.retry.policy.maxDelay)", indent: "    ")
        }
        return SecretRedactor.shared.redact(lines.joined(separator: "\n"))
    }
}
