import CollectionFramework

/// The rules an SPP interval file must pass. The price sum is a warning: that LMP = MEC + MCC + MLC
/// exactly is *unconfirmed* in the reference.
enum SPPRule {
    static let all: [ValidationRuleDeclaration] = [
        .init("spp_interval", .error, "Interval is the file's interval end in Central prevailing time (MM/DD/YYYY HH:MM:SS)"),
        .init("spp_gmt_interval", .error, "GMTIntervalEnd is the file's interval end in UTC"),
        .init("spp_price", .error, "LMP, MLC, MCC and MEC are numbers"),
        .init("spp_duplicate_location", .error, "each settlement location appears once"),
        .init("spp_lmp_sum", .warning, "LMP equals MEC + MCC + MLC to the cent (unconfirmed in the reference)"),
    ]
}
