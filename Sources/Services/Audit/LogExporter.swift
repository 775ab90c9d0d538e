public import EventLog
public import EventModel

/// `streamflow replay export`: the log (or part of it) as JSON Lines, one canonical line per event.
public enum LogExporter {
    /// Writes lines through `write`, from `sequence`, optionally only one topic or key. Returns the count.
    @discardableResult
    public static func export(_ log: EventLog, from sequence: UInt64 = 1, topic: Topic? = nil,
                              key: (EventKeys.Kind, String)? = nil, write: ([UInt8]) throws -> Void) throws -> Int {
        var count = 0
        var line: [UInt8] = []
        try log.scanCheckingIndex(from: sequence, topic: topic, key: key) { stored in
            line = try ExportLine.render(stored.record())
            line.append(0x0A)
            try write(line)
            count += 1
            return true
        }
        return count
    }
}
