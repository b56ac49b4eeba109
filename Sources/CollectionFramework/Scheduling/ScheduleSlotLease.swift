import Foundation

/// Decides which of several `scraper serve` replicas sharing a configuration runs a schedule slot:
/// exactly one of them, and any of them may die.
///
/// With a Redis registry every replica asks Redis (``RedisHashRegistry``: `SET schedule:{env}:{collector}:{slot}
/// <owner> NX EX 86400`), and the first to ask after the slot (and its start jitter) runs it; the
/// others log that it was taken and wait for the next slot. A replica that dies holds nothing: the
/// next slot is a new key. With the embedded registry there is one process, which owns every slot.
public protocol ScheduleSlotLease: Sendable {
    /// True when this process should run `collector`'s run for `slot`. An error to ask is thrown;
    /// the scheduler then runs the slot anyway (the hash registry still stores each snapshot once).
    func acquireSlot(collector: String, slot: Date) async throws -> Bool
}

/// The one process owns every slot.
public struct SoleReplicaSlots: ScheduleSlotLease {
    public init() {}
    public func acquireSlot(collector: String, slot: Date) async throws -> Bool { true }
}

extension RedisHashRegistry: ScheduleSlotLease {
    /// Seconds a slot key lives: long after any replica could still ask for it.
    static let slotTTL = 86_400

    public func acquireSlot(collector: String, slot: Date) async throws -> Bool {
        let key = "schedule:\(environment):\(collector):\(Int(slot.timeIntervalSince1970))"
        let owner = ClaimOwner.token()
        return try await perform("SET NX (schedule slot)") { connection, _ in
            !(try connection.checkedCommand(["SET", key, owner, "NX", "EX", String(Self.slotTTL)]).isNull)
        }
    }
}
