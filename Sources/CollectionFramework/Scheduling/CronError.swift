/// Why a cron expression was refused; the message quotes the expression and says what is accepted.
public struct CronError: Error, Equatable, CustomStringConvertible {
    /// The expression as written.
    public var expression: String
    /// What is wrong and how to write it instead.
    public var problem: String

    public init(_ expression: String, _ problem: String) {
        self.expression = expression
        self.problem = problem
    }

    public var description: String {
        "cron expression \(expression.debugDescription): \(problem)"
    }
}
