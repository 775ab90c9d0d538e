/// Compares two fee reports row by row, to the wei: the log's (the source) against a chain's (the cross-check).
public enum FeeReconciliation {
    /// One line per row whose figures differ (or that only one report has); empty when they agree to the wei.
    public static func differences(log: FeeReport, chain: FeeReport) -> [String] {
        let fromLog = Dictionary(uniqueKeysWithValues: (log.rows + [log.total]).map { ($0.key, $0) })
        let fromChain = Dictionary(uniqueKeysWithValues: (chain.rows + [chain.total]).map { ($0.key, $0) })
        var lines: [String] = []
        for key in Set(fromLog.keys).union(fromChain.keys).sorted() {
            let logFields = fromLog[key].map(FeeReport.fields) ?? []
            let chainFields = fromChain[key].map(FeeReport.fields) ?? []
            guard logFields != chainFields else { continue }
            switch (fromLog[key], fromChain[key]) {
            case (nil, _): lines.append("\(key): only on the chain (\(chainFields.dropFirst().joined(separator: ",")))")
            case (_, nil): lines.append("\(key): only in the log (\(logFields.dropFirst().joined(separator: ",")))")
            default:
                let changed = FeeReport.columns.indices.dropFirst().filter { logFields[$0] != chainFields[$0] }.map {
                    "\(FeeReport.columns[$0]) log \(logFields[$0]) chain \(chainFields[$0])"
                }
                lines.append("\(key): " + changed.joined(separator: "; "))
            }
        }
        return lines
    }
}
