import Foundation

/// The permissions of what `run` and `serve` create.
enum FileCreationMask {
    /// Whatever umask we inherit (cron, containers often run with 0), nothing we create — folders
    /// of the embedded store, objects, the registry and its WAL files, the schedule state — is
    /// writable by group or others.
    static func restrict() {
        umask(umask(0o022) | 0o022)
    }
}
