/// Glob patterns for SCAN MATCH built from literal key parts.
enum RedisKeyPattern {
    /// `text` with Redis glob metacharacters (`* ? [ ] \`) escaped, so it matches only itself.
    static func escaped(_ text: String) -> String {
        var result = ""
        for character in text {
            if "*?[]\\^".contains(character) { result.append("\\") }
            result.append(character)
        }
        return result
    }

    /// `hash:{env}:{dgroup}:*` with the literal parts escaped.
    static func hashes(environment: String, datasetGroup: String) -> String {
        RegistryKey.hash(environment: escaped(environment), datasetGroup: escaped(datasetGroup), sha256: "*")
    }

    /// `hash:{env}:*`: every dataset group of an environment.
    static func allHashes(environment: String) -> String {
        "hash:\(escaped(environment)):*"
    }
}
