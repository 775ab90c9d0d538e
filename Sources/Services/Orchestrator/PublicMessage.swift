/// What an error says to a remote peer: the same sentence with every absolute path cut to its last component,
/// so that a broadcaster learns which file failed but not where the orchestrator keeps its files. The full
/// message stays in the orchestrator's own log and events.
public enum PublicMessage {
    public static func redactingPaths(_ message: String) -> String {
        var out = ""
        var token = ""
        func flush() {
            if token.hasPrefix("/"), token.dropFirst().contains("/") {
                out += "…/" + (token.split(separator: "/").last.map(String.init) ?? "")
            } else {
                out += token
            }
            token = ""
        }
        for character in message {
            if character.isWhitespace || "\"'(),;:=".contains(character) {
                flush()
                out.append(character)
            } else {
                token.append(character)
            }
        }
        flush()
        return out
    }
}
