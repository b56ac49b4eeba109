import CRdKafka
import Foundation

/// librdkafka's built-in mock Kafka cluster, running inside the test process on 127.0.0.1.
///
/// The brokers listen on real loopback TCP ports, so a separate `scraper` process can reach them through
/// ``bootstrapServers`` for as long as this object lives. The cluster is owned by a dummy producer handle
/// (librdkafka requires one); the handle never produces anything.
///
/// Thread safety: `@unchecked Sendable` because of the two librdkafka handles. The mock-cluster calls
/// (create topic, broker down/up, push errors) are thread-safe in librdkafka (they post to the cluster's
/// own thread); `stop()`, which destroys the handles and is the only writer of `stopped`, runs under `lock`.
public final class KafkaMockCluster: @unchecked Sendable {
    /// Kafka protocol request type of Produce requests (for ``pushRequestErrors(apiKey:_:)``).
    public static let produceApiKey: Int16 = 0

    /// `host:port,host:port` of the mock brokers (all on 127.0.0.1).
    public let bootstrapServers: String
    public let brokerCount: Int
    private let owner: OpaquePointer
    private let cluster: OpaquePointer
    private let lock = NSLock()
    private var stopped = false

    public enum MockClusterError: Error, CustomStringConvertible {
        case cannotCreate(String)
        case request(String)

        public var description: String {
            switch self {
            case .cannotCreate(let m), .request(let m): return m
            }
        }
    }

    /// Starts `brokers` mock brokers (ids 1...brokers).
    public init(brokers: Int = 1) throws {
        precondition(brokers >= 1, "a mock cluster needs at least one broker")
        guard let conf = rd_kafka_conf_new() else { throw MockClusterError.cannotCreate("rd_kafka_conf_new failed") }
        var errstr = [CChar](repeating: 0, count: 512)
        // Keep the dummy handle quiet: it has no bootstrap servers of its own.
        _ = rd_kafka_conf_set(conf, "log_level", "3", &errstr, errstr.count)
        guard let rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, &errstr, errstr.count) else {
            rd_kafka_conf_destroy(conf)
            throw MockClusterError.cannotCreate("dummy producer for the mock cluster: \(errstr.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })")
        }
        guard let mcluster = rd_kafka_mock_cluster_new(rk, Int32(brokers)) else {
            rd_kafka_destroy(rk)
            throw MockClusterError.cannotCreate("rd_kafka_mock_cluster_new(\(brokers)) failed")
        }
        owner = rk
        cluster = mcluster
        brokerCount = brokers
        bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(mcluster))
    }

    deinit { stop() }

    /// The TCP ports of the brokers, parsed from ``bootstrapServers``.
    public var ports: [Int] {
        bootstrapServers.split(separator: ",").compactMap { $0.split(separator: ":").last.flatMap { Int($0) } }
    }

    /// Creates `topic` with `partitions` partitions.
    public func createTopic(_ topic: String, partitions: Int = 1, replicationFactor: Int = 1) throws {
        let err = rd_kafka_mock_topic_create(cluster, topic, Int32(partitions), Int32(replicationFactor))
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw MockClusterError.request("creating topic \(topic): \(String(cString: rd_kafka_err2str(err)))")
        }
    }

    /// Disconnects broker `id` and refuses new connections (`nil`: every broker).
    public func takeDown(broker id: Int? = nil) throws {
        let err = rd_kafka_mock_broker_set_down(cluster, Int32(id ?? -1))
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw MockClusterError.request("taking broker \(id ?? -1) down: \(String(cString: rd_kafka_err2str(err)))")
        }
    }

    /// Lets broker `id` accept connections again (`nil`: every broker).
    public func bringUp(broker id: Int? = nil) throws {
        let err = rd_kafka_mock_broker_set_up(cluster, Int32(id ?? -1))
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw MockClusterError.request("bringing broker \(id ?? -1) up: \(String(cString: rd_kafka_err2str(err)))")
        }
    }

    /// The next `errors.count` requests of type `apiKey` (cluster-wide) fail with these errors, in order.
    public func pushRequestErrors(apiKey: Int16 = KafkaMockCluster.produceApiKey, _ errors: [rd_kafka_resp_err_t]) {
        errors.withUnsafeBufferPointer {
            rd_kafka_mock_push_request_errors_array(cluster, apiKey, $0.count, $0.baseAddress)
        }
    }

    /// Forgets errors pushed for `apiKey` that have not been used yet.
    public func clearRequestErrors(apiKey: Int16 = KafkaMockCluster.produceApiKey) {
        rd_kafka_mock_clear_request_errors(cluster, apiKey)
    }

    /// Stops the brokers. Safe to call more than once.
    public func stop() {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { return }
        stopped = true
        rd_kafka_mock_cluster_destroy(cluster)
        rd_kafka_destroy(owner)
    }
}
