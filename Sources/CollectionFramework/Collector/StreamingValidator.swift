import Foundation

/// A validator that judges a payload while it downloads, chunk by chunk, instead of after the
/// last byte: a collector that has one returns it from ``Collector/streamingValidator(for:)``.
/// The pipeline then calls ``consume(_:)`` for each chunk and ``finish()`` at the end, and never
/// calls ``Collector/validate(_:for:)``.
///
/// Implementation requirements: never trap, whatever the bytes; a refusal from `consume` stops
/// the download at once (the bytes read so far are quarantined).
public protocol StreamingValidator {
    /// Sees the next chunk; returns a failure to refuse the payload at once.
    mutating func consume(_ chunk: Data) -> ValidationFailure?
    /// Judges the payload once every chunk has been seen.
    mutating func finish() -> ValidationResult
}

extension Collector {
    /// No streaming validator: the pipeline validates the whole payload with ``validate(_:for:)``.
    public func streamingValidator(for candidate: DownloadCandidate) -> (any StreamingValidator)? { nil }
}

extension Collector {
    /// Judges a whole payload with the collector's ``streamingValidator(for:)``, as one chunk: the
    /// ``validate(_:for:)`` of a collector whose rules live in its streaming validator.
    public func validateWithStreamingValidator(_ content: Data, for candidate: DownloadCandidate) -> ValidationResult {
        guard var validator = streamingValidator(for: candidate) else {
            return .invalid(ValidationFailure(rule: "no_validator", reason: "\(Self.typeName) has no streaming validator for \(candidate.identifier)"))
        }
        if let failure = validator.consume(content) { return .invalid(failure) }
        return validator.finish()
    }
}
