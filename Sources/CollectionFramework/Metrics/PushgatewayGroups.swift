import Foundation

/// The exposition split into Pushgateway groups, one per collector, so each push replaces only its own
/// collector's series.
///
/// Groups are `job=scraper/environment=<env>/collector=<name>` for series labelled with a collector, and
/// `job=scraper/environment=<env>` for the process's own (the daemon's). Each is POSTed: the Pushgateway
/// then replaces only the metric names present in the push, so a failed run, which records no
/// `scraper_last_success_timestamp_seconds`, leaves the last success of the good run before it in place
/// (a PUT replaces the whole group and would erase it).
public struct PushgatewayGroups: Sendable, Equatable {
    /// The grouping path after `/metrics/job/scraper`, and the exposition text of that group.
    public struct Group: Sendable, Equatable {
        public var path: String
        public var text: String
    }

    public var groups: [Group]

    /// Splits `exposition` (Prometheus text format) for the environment `environment`.
    public init(exposition: String, environment: String) {
        var order: [String?] = []
        var texts: [String?: String] = [:]
        var headers: [String] = []              // HELP/TYPE lines of the family being read
        var headed: Set<String?> = []           // groups that already have the current family's headers
        for line in exposition.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.hasPrefix("#") {
                if line.hasPrefix("# HELP ") || (line.hasPrefix("# TYPE ") && !(headers.last?.hasPrefix("# HELP ") ?? false)) {
                    headers = []
                    headed = []
                }
                headers.append(String(line))
                continue
            }
            let collector = Self.labelValue("collector", in: line)
            if texts[collector] == nil {
                order.append(collector)
                texts[collector] = ""
            }
            if !headed.contains(collector) {
                for header in headers { texts[collector, default: ""] += header + "\n" }
                headed.insert(collector)
            }
            texts[collector, default: ""] += line + "\n"
        }
        let base = "/environment/" + Self.pathValue(environment)
        groups = order.map { collector in
            Group(path: base + (collector.map { "/collector/" + Self.pathValue($0) } ?? ""), text: texts[collector] ?? "")
        }
    }

    /// The value of `name="…"` in a sample line's label set, unescaped; nil without it.
    static func labelValue(_ name: String, in line: Substring) -> String? {
        guard let open = line.firstIndex(of: "{"), let close = line[open...].firstIndex(of: "}") else { return nil }
        var rest = line[line.index(after: open)..<close]
        while let equals = rest.firstIndex(of: "=") {
            let key = rest[..<equals].trimmingCharacters(in: .whitespaces.union(CharacterSet(charactersIn: ",")))
            var index = rest.index(after: equals)
            guard index < rest.endIndex, rest[index] == "\"" else { return nil }
            index = rest.index(after: index)
            var value = ""
            while index < rest.endIndex, rest[index] != "\"" {
                if rest[index] == "\\", rest.index(after: index) < rest.endIndex {
                    index = rest.index(after: index)
                    value.append(rest[index] == "n" ? "\n" : rest[index])
                } else {
                    value.append(rest[index])
                }
                index = rest.index(after: index)
            }
            if key == name { return value }
            rest = index < rest.endIndex ? rest[rest.index(after: index)...] : rest[rest.endIndex...]
        }
        return nil
    }

    /// A grouping value in a URL path: the Pushgateway's base64 form (`name@base64/…`) is not needed for
    /// our names (letters, digits, `-`, `_`, `.`), which are percent-encoded if anything else appears.
    static func pathValue(_ value: String) -> String {
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }
}
