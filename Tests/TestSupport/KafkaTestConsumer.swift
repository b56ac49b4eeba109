import CRdKafka
import Foundation

/// Reads a topic back from the beginning of every partition (no consumer-group rebalance: partitions are
/// assigned directly), for checking what a notifier published.
///
/// Thread safety: `@unchecked Sendable` because of the `rd_kafka_t` handle. librdkafka allows its consumer
/// calls from any thread; `close()` (the only writer of `closed`, and the only call that destroys the
/// handle) runs under `lock`, and a test reads from one task at a time and closes only when done.
public final class KafkaTestConsumer: @unchecked Sendable {
    /// One consumed record.
    public struct Record: Sendable, Equatable {
        public var key: String?
        public var value: String
        public var partition: Int
        public var offset: Int64
    }

    public enum ConsumerError: Error, CustomStringConvertible {
        case setup(String)
        case consume(String)

        public var description: String {
            switch self {
            case .setup(let m), .consume(let m): return m
            }
        }
    }

    public let topic: String
    private let handle: OpaquePointer
    private let lock = NSLock()
    private var closed = false

    /// Connects to `bootstrapServers` (PLAINTEXT) and assigns every partition of `topic` from the start.
    public init(bootstrapServers: String, topic: String, timeout: Double = 10) throws {
        self.topic = topic
        guard let conf = rd_kafka_conf_new() else { throw ConsumerError.setup("rd_kafka_conf_new failed") }
        var errstr = [CChar](repeating: 0, count: 512)
        let properties = [
            ("bootstrap.servers", bootstrapServers),
            ("group.id", "scraper-test-\(UUID().uuidString)"),
            ("enable.auto.commit", "false"),
            ("auto.offset.reset", "earliest"),
            ("enable.partition.eof", "false"),
            ("log_level", "3"),
        ]
        for (name, value) in properties where rd_kafka_conf_set(conf, name, value, &errstr, errstr.count) != RD_KAFKA_CONF_OK {
            rd_kafka_conf_destroy(conf)
            throw ConsumerError.setup("consumer property \(name): \(errstr.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })")
        }
        guard let rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, &errstr, errstr.count) else {
            rd_kafka_conf_destroy(conf)
            throw ConsumerError.setup("consumer: \(errstr.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })")
        }
        handle = rk
        rd_kafka_poll_set_consumer(rk)
        do {
            let partitions = try KafkaTestConsumer.partitions(of: topic, handle: rk, timeout: timeout)
            guard let list = rd_kafka_topic_partition_list_new(Int32(partitions.count)) else {
                throw ConsumerError.setup("rd_kafka_topic_partition_list_new failed")
            }
            defer { rd_kafka_topic_partition_list_destroy(list) }
            for partition in partitions {
                rd_kafka_topic_partition_list_add(list, topic, partition)?.pointee.offset = Int64(RD_KAFKA_OFFSET_BEGINNING)
            }
            let err = rd_kafka_assign(rk, list)
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                throw ConsumerError.setup("assigning \(topic): \(String(cString: rd_kafka_err2str(err)))")
            }
        } catch {
            rd_kafka_destroy(rk)
            closed = true
            throw error
        }
    }

    deinit { close() }

    /// Polls until `count` records have arrived or `timeout` seconds pass; returns what arrived (maybe fewer).
    public func read(count: Int, timeout: Double = 10) throws -> [Record] {
        var records: [Record] = []
        let deadline = Date().addingTimeInterval(timeout)
        while records.count < count, Date() < deadline {
            guard let message = rd_kafka_consumer_poll(handle, 100) else { continue }
            defer { rd_kafka_message_destroy(message) }
            let m = message.pointee
            if m.err == RD_KAFKA_RESP_ERR__PARTITION_EOF { continue }
            guard m.err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                // Transient errors (e.g. a broker still starting) are retried until the deadline.
                if Date() >= deadline { throw ConsumerError.consume("reading \(topic): \(String(cString: rd_kafka_err2str(m.err)))") }
                continue
            }
            let key = m.key.map { String(decoding: UnsafeRawBufferPointer(start: $0, count: m.key_len), as: UTF8.self) }
            let value = m.payload.map { String(decoding: UnsafeRawBufferPointer(start: $0, count: m.len), as: UTF8.self) } ?? ""
            records.append(Record(key: key, value: value, partition: Int(m.partition), offset: m.offset))
        }
        return records
    }

    /// Leaves the cluster. Safe to call more than once.
    public func close() {
        lock.lock()
        defer { lock.unlock() }
        guard !closed else { return }
        closed = true
        rd_kafka_consumer_close(handle)
        rd_kafka_destroy(handle)
    }

    /// The partition ids of `topic`, from a metadata request retried until it answers.
    private static func partitions(of topic: String, handle: OpaquePointer, timeout: Double) throws -> [Int32] {
        guard let rkt = rd_kafka_topic_new(handle, topic, nil) else {
            throw ConsumerError.setup("rd_kafka_topic_new(\(topic)) failed")
        }
        defer { rd_kafka_topic_destroy(rkt) }
        let deadline = Date().addingTimeInterval(timeout)
        var lastError = "no answer"
        while Date() < deadline {
            var metadata: UnsafePointer<rd_kafka_metadata_t>?
            let err = rd_kafka_metadata(handle, 0, rkt, &metadata, 2000)
            if err == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata {
                defer { rd_kafka_metadata_destroy(metadata) }
                let md = metadata.pointee
                for i in 0..<Int(md.topic_cnt) where String(cString: md.topics[i].topic) == topic {
                    let t = md.topics[i]
                    if t.err == RD_KAFKA_RESP_ERR_NO_ERROR, t.partition_cnt > 0 {
                        return (0..<Int(t.partition_cnt)).map { t.partitions[$0].id }
                    }
                    lastError = String(cString: rd_kafka_err2str(t.err))
                }
            } else {
                lastError = String(cString: rd_kafka_err2str(err))
            }
            usleep(100_000)
        }
        throw ConsumerError.setup("metadata for topic \(topic): \(lastError)")
    }
}
