import ArgumentParser

/// A misbehaviour the simulator can be told to show (`--fault NAME` or `POST /_sim/config?fault=NAME`).
enum SimulatorFault: String, CaseIterable, ExpressibleByArgument {
    // Transport faults: apply to every data endpoint.
    case http500 = "http-500"
    case http503 = "http-503"
    case http404 = "http-404"
    /// 429 with `Retry-After: 1`.
    case http429 = "http-429"
    /// 429 with `Retry-After` as an HTTP-date two seconds ahead (RFC 9110 allows either form).
    case http429Date = "http-429-date"
    /// The normal body, sent in pieces over about five seconds.
    case slow
    /// `Content-Length` larger than the body, then the connection closes.
    case truncated
    /// 200 with an HTML error page.
    case html
    /// A 200 JSON body of about 64 MiB, streamed.
    case huge

    // Documented CTS payload faults: each breaks one validation rule of the spec.
    case badStructure = "bad-structure"
    case badArithmetic = "bad-arithmetic"
    case badInterval = "bad-interval"
    case badLMPDirection = "bad-lmp-direction"
    case badTransactionDirection = "bad-transaction-direction"
    case nonNumeric = "non-numeric"
    case negativeVolume = "negative-volume"
    case badQuality = "bad-quality"
    case wrongDay = "wrong-day"

    // Live CTS payload faults.
    case liveBadRefID = "live-bad-refid"
    case liveEmpty = "live-empty"
    case liveBadTime = "live-bad-time"
    case liveOffGrid = "live-off-grid"
    case liveBadPrice = "live-bad-price"

    // Ex-ante LMP payload faults.
    case exAnteDuplicateHub = "exante-duplicate-hub"
    case exAnteBadRefID = "exante-bad-refid"
    case exAnteNoHubs = "exante-no-hubs"
    case exAnteBadNumber = "exante-bad-number"
    case exAnteHourMismatch = "exante-hour-mismatch"

    // Binding-constraint payload faults.
    /// The documented "nothing binding" form (also `--binding-none`).
    case bindingNone = "binding-none"
    case bindingBadPeriod = "binding-bad-period"
    case bindingBadPrice = "binding-bad-price"

    // ISO feeds (NYISO, CAISO, SPP): the broken files of shared/docs/iso-public-feeds.md §4.
    /// NYISO real-time file with extra rows at :13 and :22 past 10:00 (off the 5-minute grid).
    case nyisoOffGrid = "nyiso-off-grid"
    /// NYISO header spelled the pre-2016 way (`($/MWH` for `($/MWHr)`).
    case nyisoOldHeader = "nyiso-old-header"
    /// A NYISO daily file cut in the middle of a line.
    case nyisoPartial = "nyiso-partial"
    /// A NYISO monthly ZIP without the 15th day's member.
    case nyisoZipMissingDay = "nyiso-zip-missing-day"
    /// Any ISO ZIP cut to 60% of its length (served with a matching Content-Length).
    case zipTruncated = "zip-truncated"
    /// Any ISO ZIP whose central directory has wrong sizes and offsets (the local headers are right).
    case zipBadCentralDirectory = "zip-bad-central-directory"
    /// CAISO `INVALID_REQUEST.xml` with code 1000 (no data).
    case caisoNoData = "caiso-no-data"
    /// CAISO `INVALID_REQUEST.xml` with code 1002 (invalid datetime format).
    case caisoInvalidRequest = "caiso-invalid-request"
    /// CAISO's 429 HTML page ("retry your request after 5 seconds"), no Retry-After.
    case caiso429 = "caiso-429"
    /// SPP interval files ending at 10:30 local answer 404.
    case sppMissingInterval = "spp-missing-interval"
    /// SPP's BAA column third instead of last.
    case sppBAAThird = "spp-baa-third"
    /// SPP day-ahead: the second settlement location lacks its 14th hour (`spp_da_hour_count`, or the DST days' rule).
    case sppDAMissingHour = "spp-da-missing-hour"
    /// SPP day-ahead: the first data row repeated at the end (`spp_da_duplicate_row`).
    case sppDADuplicateRow = "spp-da-duplicate-row"
    /// SPP day-ahead: one LMP written `N/A` (`spp_da_price`).
    case sppDABadPrice = "spp-da-bad-price"
    /// SPP day-ahead: the day before's hours under this day's name (`spp_da_gmt_interval`).
    case sppDAWrongDay = "spp-da-wrong-day"
    /// SPP day-ahead: the `Interval` column written in UTC, not Central time (`spp_da_interval`).
    case sppDAIntervalUTC = "spp-da-interval-utc"
    /// SPP day-ahead: one LMP 0.50 off MEC + MCC + MLC (`spp_da_lmp_sum`, a warning: the file is stored).
    case sppDALMPSum = "spp-da-lmp-sum"
    /// SPP day-ahead: stamps without seconds (valid: "some DA files omit seconds" [U]).
    case sppDANoSeconds = "spp-da-no-seconds"
    /// SPP day-ahead: the BAA column third instead of last (valid).
    case sppDABAAThird = "spp-da-baa-third"
    /// Any ISO feed: HTTP 200 with `<root>Error Downloading Content - NO Results</root>`.
    case xmlError200 = "xml-error-200"

    /// Which responses the fault can change.
    var target: FaultTarget {
        switch self {
        case .http500, .http503, .http404, .http429, .http429Date, .slow, .truncated, .html, .huge: return .anyDataEndpoint
        case .badStructure, .badArithmetic, .badInterval, .badLMPDirection, .badTransactionDirection, .nonNumeric,
             .negativeVolume, .badQuality, .wrongDay: return .ctsDocumented
        case .liveBadRefID, .liveEmpty, .liveBadTime, .liveOffGrid, .liveBadPrice: return .ctsLive
        case .exAnteDuplicateHub, .exAnteBadRefID, .exAnteNoHubs, .exAnteBadNumber, .exAnteHourMismatch: return .exAnte
        case .bindingNone, .bindingBadPeriod, .bindingBadPrice: return .binding
        case .nyisoOffGrid, .nyisoOldHeader, .nyisoPartial: return .nyisoCSV
        case .nyisoZipMissingDay: return .nyisoZip
        case .zipTruncated, .zipBadCentralDirectory: return .isoZip
        case .caisoNoData, .caisoInvalidRequest, .caiso429: return .caiso
        case .sppMissingInterval, .sppBAAThird: return .spp
        case .sppDAMissingHour, .sppDADuplicateRow, .sppDABadPrice, .sppDAWrongDay, .sppDAIntervalUTC, .sppDALMPSum,
             .sppDANoSeconds, .sppDABAAThird: return .sppDayAhead
        case .xmlError200: return .iso
        }
    }

    static var allNames: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

/// The kind of response a request will produce; a fault applies only to its own kind.
enum FaultTarget: Equatable {
    case anyDataEndpoint
    case ctsDocumented
    case ctsLive
    case exAnte
    case binding
    /// A NYISO daily CSV.
    case nyisoCSV
    /// A NYISO monthly ZIP.
    case nyisoZip
    /// Any ISO answer that is a ZIP (NYISO monthly, CAISO).
    case isoZip
    case caiso
    case spp
    /// An SPP day-ahead file.
    case sppDayAhead
    /// Any ISO feed.
    case iso
}

/// Which CTS response shape to serve.
enum CTSShape: String, CaseIterable, ExpressibleByArgument {
    /// The shape the spec documents (`data[]` plus `metadata`).
    case documented
    /// The flat shape the real feed answers with (`RefId` plus `Interval[]`).
    case live
}
