import CollectionFramework
import Foundation
import LoopbackHTTP

/// The daemon's HTTP endpoints: `/metrics` (Prometheus text), `/healthz` (the process answers) and
/// `/readyz` (registry and store reachable, and not draining).
enum OpsEndpoints {
    static let prometheusContentType = "text/plain; version=0.0.4; charset=utf-8"

    /// The request handler for ``LoopbackHTTPServer``. `draining` turns `/readyz` to 503 once a stop began.
    static func handler(services: PipelineServices, draining: @escaping @Sendable () -> Bool,
                        exposition: @escaping @Sendable () -> String) -> LoopbackHTTPServer.Handler {
        return { request in
            guard request.method == "GET" || request.method == "HEAD" else {
                return .text("method \(request.method) not allowed: use GET\n", status: 405, headers: [("Allow", "GET, HEAD")])
            }
            switch request.path {
            case "/metrics":
                return .text(exposition(), contentType: prometheusContentType)
            case "/healthz":
                return .text("ok\n")
            case "/readyz":
                return await readiness(services: services, draining: draining())
            case "/":
                return .text("scraper serve: /metrics /healthz /readyz\n")
            default:
                return .text("not found: \(request.path); the endpoints are /metrics, /healthz and /readyz\n", status: 404)
            }
        }
    }

    /// 200 when both backends answer, else 503 naming the one that did not (secrets masked).
    static func readiness(services: PipelineServices, draining: Bool) async -> LoopbackHTTPResponse {
        var lines: [String] = []
        var ready = !draining
        if draining { lines.append("draining: stopping after the runs in progress") }
        let checks: [(String, @Sendable () async throws -> Void)] = [
            ("registry \(services.registry.displayName)", { try await services.registry.checkReachable() }),
            ("store \(services.store.displayName)", { try await services.store.checkReachable() }),
        ]
        for (name, check) in checks {
            do {
                try await check()
                lines.append("\(name): ok")
            } catch {
                ready = false
                lines.append("\(name): unreachable: \(error)")
            }
        }
        let body = SecretRedactor.shared.redact((ready ? "ready\n" : "not ready\n") + lines.joined(separator: "\n") + "\n")
        return .text(withholdingAccessKeyIDs(body), status: ready ? 200 : 503)
    }

    /// The endpoint may listen on every interface (a pod binds 0.0.0.0) and asks no credentials, so AWS
    /// access key ids, which the store's errors name for the operator's log, are withheld here: the log
    /// still has them. (`AKIA`, `ASIA` and the other IAM id prefixes, then 16 capitals or digits.)
    static func withholdingAccessKeyIDs(_ text: String) -> String {
        text.replacingOccurrences(of: #"\b(AKIA|ASIA|AIDA|AROA|AGPA|ANPA|ANVA|APKA|ABIA|ACCA)[A-Z0-9]{16}\b"#,
                                  with: "<access key id withheld; see the log>", options: .regularExpression)
    }
}
