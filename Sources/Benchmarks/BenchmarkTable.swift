import Foundation

/// Renders benchmark rows as a Markdown table (readable in a terminal, pasteable into the README).
///
/// ```swift
/// print(BenchmarkTable.markdown(rows))
/// ```
package enum BenchmarkTable {
    package static let header = ["group", "measurement", "MB", "seconds", "MB/s", "ratio", "target", "met"]

    package static func markdown(_ rows: [BenchmarkRow]) -> String {
        var lines = [line(header), line(header.map { _ in "---" })]
        for row in rows { lines.append(line(cells(row))) }
        return lines.joined(separator: "\n")
    }

    package static func cells(_ row: BenchmarkRow) -> [String] {
        let megabytes = row.bytes > 0 ? fixed(Double(row.bytes) / 1e6, 1) : ""
        let seconds = row.note ?? fixed(row.seconds, 3)
        let rate = row.megabytesPerSecond.map { fixed($0, 0) } ?? ""
        let ratio = row.ratio.map { fixed($0, 2) + "x " + (row.ratioReference.map { "of \($0)" } ?? "") } ?? ""
        let target = row.ratioLimit.map { "≤ " + fixed($0, 2) + "x" } ?? ""
        let met = row.meetsTarget.map { $0 ? "yes" : "NO" } ?? ""
        return [row.group, row.name, megabytes, seconds, rate, ratio.trimmingCharacters(in: .whitespaces), target, met]
    }

    static func line(_ cells: [String]) -> String {
        "| " + cells.joined(separator: " | ") + " |"
    }

    static func fixed(_ value: Double, _ digits: Int) -> String {
        String(format: "%.\(digits)f", value)
    }
}
