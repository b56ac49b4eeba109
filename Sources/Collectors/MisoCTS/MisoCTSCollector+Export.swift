import CollectionFramework
import Foundation

/// `scraper export` for CTS: one row per forecast record, from either shape MISO serves.
///
/// - Documented shape: one row per `data` record (interval, node, the LMP and its components, the
///   volume), with `metadata.dataQuality` and `operatingDay`.
/// - Live shape: one row per `Interval` entry (`SOLUTIONTIME` is the interval, `PJMFORECASTEDLMP`
///   and `CASEAPPROVALDATE` have columns of their own, `RefId` too); the live feed names no node.
///
/// The snapshot's collection time is the minute in its snapshot name, else the documented
/// `metadata.retrievalTimestamp`.
extension MisoCTSCollector: RowExporting {
    public static let exportColumns: [ExportColumn] = [
        ExportColumn("interval_start_utc", "start of the 5-minute interval, UTC"),
        ExportColumn("interval_start_miso", "start of the interval in MISO time (EST, UTC-05:00)"),
        ExportColumn("node", "MISO-PJM interface node (documented shape)"),
        ExportColumn("lmp_total", "forecast LMP, $/MWh"),
        ExportColumn("lmp_energy", "energy component, $/MWh"),
        ExportColumn("lmp_congestion", "congestion component, $/MWh"),
        ExportColumn("lmp_losses", "losses component, $/MWh"),
        ExportColumn("lmp_direction", "export, import or neutral"),
        ExportColumn("volume_mwh", "forecast transaction volume, MWh"),
        ExportColumn("volume_direction", "MISO_TO_PJM, PJM_TO_MISO or BALANCED"),
        ExportColumn("data_quality", "FORECAST, PRELIMINARY or VALIDATED"),
        ExportColumn("operating_day", "metadata.operatingDay"),
        ExportColumn("shape", "documented or live"),
        ExportColumn("pjm_forecasted_lmp", "live shape: PJMFORECASTEDLMP, $/MWh"),
        ExportColumn("case_approval_utc", "live shape: CASEAPPROVALDATE, UTC"),
        ExportColumn("ref_id", "live shape: RefId"),
    ]

    public func exportRows(from payload: Data, source: ExportSource) throws -> ExportedPayload {
        let root = try MisoExportPayload.parse(payload, source: source)
        let named = MisoExportTime.snapshotTime(identifier: source.identifier)
        if let records = root["data"]?.array {
            let metadata = root["metadata"]
            let retrieved = metadata?["retrievalTimestamp"]?.string.flatMap(MisoExportTime.parseZoned)
            let day = metadata?["operatingDay"]?.string
            let common: [String: ExportValue] = [
                "data_quality": .text(metadata?["dataQuality"]?.string),
                "operating_day": .text(day),
                "shape": .text("documented"),
            ]
            let rows = try records.enumerated().map { index, record in
                try documentedRow(record, index: index, day: day.flatMap(CalendarDate.init(iso:)), common: common, source: source)
            }
            return ExportedPayload(collectedAt: named ?? retrieved, rows: rows)
        }
        if let records = root["Interval"]?.array {
            let refId = root["RefId"]?.string
            let rows = try records.enumerated().map { index, record in try liveRow(record, index: index, refId: refId, source: source) }
            return ExportedPayload(collectedAt: named, rows: rows)
        }
        throw ExportError.unreadablePayload(key: source.key, reason: "neither the documented (`data`) nor the live (`Interval`) CTS shape")
    }

    private func documentedRow(_ record: JSONNode, index: Int, day: CalendarDate?, common: [String: ExportValue],
                               source: ExportSource) throws -> ExportRow {
        let start = record["timestamp"]?.string.flatMap(MisoExportTime.parseZoned)
            ?? day.flatMap { day in record["interval"]?.string.flatMap { MisoExportTime.instant(day: day, hourMinute: $0) } }
        guard let start else {
            throw ExportError.unreadablePayload(key: source.key, reason: "record \(index) has no readable timestamp or interval")
        }
        let node = record["node"]?.string
        let lmp = record["forecastedLMP"]
        let volume = record["transactionVolume"]
        var values = common
        values["interval_start_utc"] = .text(MisoExportTime.utc(start))
        values["interval_start_miso"] = .text(MisoExportTime.misoTime(start))
        values["node"] = .text(node)
        values["lmp_total"] = .number(lmp?["total"]?.number)
        values["lmp_energy"] = .number(lmp?["components"]?["energy"]?.number)
        values["lmp_congestion"] = .number(lmp?["components"]?["congestion"]?.number)
        values["lmp_losses"] = .number(lmp?["components"]?["losses"]?.number)
        values["lmp_direction"] = .text(lmp?["direction"]?.string)
        values["volume_mwh"] = .number(volume?["mwh"]?.number)
        values["volume_direction"] = .text(volume?["direction"]?.string)
        return ExportRow(identity: MisoExportTime.utc(start) + "|" + (node ?? ""), values: values)
    }

    private func liveRow(_ record: JSONNode, index: Int, refId: String?, source: ExportSource) throws -> ExportRow {
        guard let start = record["SOLUTIONTIME"]?.string.flatMap(MisoTimeText.parseMeridiemTime).flatMap(MisoExportTime.instant) else {
            throw ExportError.unreadablePayload(key: source.key, reason: "Interval entry \(index) has no readable SOLUTIONTIME")
        }
        let approval = record["CASEAPPROVALDATE"]?.string.flatMap(MisoTimeText.parseMeridiemTime).flatMap(MisoExportTime.instant)
        let values: [String: ExportValue] = [
            "interval_start_utc": .text(MisoExportTime.utc(start)),
            "interval_start_miso": .text(MisoExportTime.misoTime(start)),
            "shape": .text("live"),
            "pjm_forecasted_lmp": .number(MisoExportPayload.decimal(record["PJMFORECASTEDLMP"])),
            "case_approval_utc": .text(approval.map(MisoExportTime.utc)),
            "ref_id": .text(refId),
        ]
        return ExportRow(identity: MisoExportTime.utc(start) + "|", values: values)
    }
}
