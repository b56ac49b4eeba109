import CollectionFramework
import Foundation
import Logging
import Metrics
import Prometheus

/// The process's Prometheus registry and the ways its exposition leaves the process:
/// a textfile (node_exporter's textfile collector) and a Pushgateway push.
enum MetricsExport {
    /// Bootstraps swift-metrics with a Prometheus backend (once per process) and returns the registry.
    static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultValueHistogramBuckets = [0, 1, 10, 100, 288, 1_000, 3_000, 10_000, 30_000, 100_000, 300_000]
        MetricsSystem.bootstrap(factory)
        return registry
    }()

    /// The exposition text now.
    static func exposition() -> String {
        registry.emitToString()
    }

    /// Writes the exposition to `path` atomically (temporary file in the same folder, then rename),
    /// so a scraper of the file never reads half of it.
    static func writeFile(_ path: String) throws {
        let url = URL(fileURLWithPath: path)
        let temp = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
        do {
            try Data(exposition().utf8).write(to: temp)
            guard rename(temp.path, url.path) == 0 else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: String(cString: strerror(errno))])
            }
        } catch {
            try? FileManager.default.removeItem(at: temp)
            throw MetricsExportError.failed("cannot write metrics file \(path): \(error.localizedDescription)")
        }
    }

    /// POSTs the exposition to a Pushgateway, one group per collector (``PushgatewayGroups``):
    /// `job=scraper/environment=<env>/collector=<name>`, and `job=scraper/environment=<env>` for the
    /// daemon's own series. Every group is tried; the first failure is thrown after the others.
    static func push(to gateway: String, environment: String, client: any HTTPClient = CurlHTTPClient()) async throws {
        let base = (gateway.hasSuffix("/") ? String(gateway.dropLast()) : gateway) + "/metrics/job/scraper"
        var failure: MetricsExportError?
        for group in PushgatewayGroups(exposition: exposition(), environment: environment).groups {
            let url = base + group.path
            do {
                let response = try await client.send(HTTPRequest(method: "POST", url: url, headers: [("Content-Type", "text/plain; version=0.0.4")],
                                                                 body: Data(group.text.utf8), timeout: 10))
                guard (200..<300).contains(response.status) else {
                    throw MetricsExportError.failed("Pushgateway \(url) answered HTTP \(response.status): \(HTTPError.excerpt(response.body))")
                }
            } catch let error as MetricsExportError {
                failure = failure ?? error
            } catch {
                failure = failure ?? .failed("Pushgateway \(url): \(error)")
            }
        }
        if let failure { throw failure }
    }

    /// Does whatever the flags ask; failures are logged, never fatal (the data is already stored).
    static func export(file: String?, pushgateway: String?, environment: String, logger: Logger) async {
        if let file {
            do { try writeFile(file) } catch { logger.warning("\(error)") }
        }
        if let pushgateway {
            do { try await push(to: pushgateway, environment: environment) } catch { logger.warning("metrics push failed: \(error)") }
        }
    }
}

enum MetricsExportError: Error, CustomStringConvertible {
    case failed(String)
    var description: String {
        switch self { case .failed(let m): return m }
    }
}
