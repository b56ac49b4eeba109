import CollectionFramework
import Foundation

/// `scraper export` for ex-ante LMP: one row per hub of a snapshot, at the interval its RefId names.
extension MisoExAnteLMPCollector: RowExporting {
    public static let exportColumns: [ExportColumn] = [
        ExportColumn("interval_start_utc", "start of the interval RefId names, UTC"),
        ExportColumn("interval_start_miso", "the same in MISO time (EST, UTC-05:00)"),
        ExportColumn("hub", "hub name"),
        ExportColumn("lmp", "ex-ante LMP, $/MWh"),
        ExportColumn("loss", "loss component, $/MWh"),
        ExportColumn("congestion", "congestion component, $/MWh"),
        ExportColumn("ref_id", "RefId"),
    ]

    public func exportRows(from payload: Data, source: ExportSource) throws -> ExportedPayload {
        let root = try MisoExportPayload.parse(payload, source: source)
        let data = root["LMPData"]
        let refText = data?["RefId"]?.string
        guard let refText, let refId = MisoTimeText.parseRefId(refText),
              let start = MisoExportTime.instant(day: refId.date, hourMinute: refId.interval),
              let hubs = data?["ExAnteLMP"]?["Hub"]?.array else {
            throw ExportError.unreadablePayload(key: source.key, reason: "not an ex-ante LMP payload (LMPData.RefId and LMPData.ExAnteLMP.Hub)")
        }
        let rows = hubs.map { hub in
            let name = hub["name"]?.string
            return ExportRow(identity: MisoExportTime.utc(start) + "|" + (name ?? ""), values: [
                "interval_start_utc": .text(MisoExportTime.utc(start)),
                "interval_start_miso": .text(MisoExportTime.misoTime(start)),
                "hub": .text(name),
                "lmp": .number(MisoExportPayload.decimal(hub["LMP"])),
                "loss": .number(MisoExportPayload.decimal(hub["loss"])),
                "congestion": .number(MisoExportPayload.decimal(hub["congestion"])),
                "ref_id": .text(refText),
            ])
        }
        return ExportedPayload(collectedAt: MisoExportTime.snapshotTime(identifier: source.identifier), rows: rows)
    }
}
