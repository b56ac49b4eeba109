import Foundation

/// This process's resident memory, read from `/proc/self/status` (Linux).
///
/// `VmHWM` is the peak resident set since the process started: measure a workload in a fresh child
/// process, take ``residentBytes`` before it as the idle figure and ``peakResidentBytes`` after it.
package enum ProcessMemory {
    /// Current resident set (`VmRSS`), in bytes; nil where `/proc` is missing.
    package static var residentBytes: Int? { field("VmRSS:") }

    /// Peak resident set so far (`VmHWM`), in bytes; nil where `/proc` is missing.
    package static var peakResidentBytes: Int? { field("VmHWM:") }

    /// Resets `VmHWM` to the current resident set (writes 5 to `/proc/self/clear_refs`, Linux 4.0+);
    /// false where that is not possible, in which case the peak covers the whole process life.
    @discardableResult
    package static func resetPeak() -> Bool {
        guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
        defer { try? handle.close() }
        do { try handle.write(contentsOf: Data("5".utf8)) } catch { return false }
        return true
    }

    /// A `kB` line of `/proc/self/status`, in bytes.
    static func field(_ name: String) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        return parse(status, field: name)
    }

    /// Reads `Name:   1234 kB` out of a status text, in bytes.
    package static func parse(_ status: String, field name: String) -> Int? {
        for line in status.split(separator: "\n") where line.hasPrefix(name) {
            let number = line.dropFirst(name.count).split(whereSeparator: { $0 == " " || $0 == "\t" }).first
            return number.flatMap { Int($0) }.map { $0 * 1024 }
        }
        return nil
    }
}
