import Foundation
import EthCrypto

/// The fee report as one self-contained HTML page: the table, and bar charts of fees, redemptions and the
/// gas cost share per row (inline SVG, no scripts, no network).
public enum FeeReportHTML {
    public static func render(_ report: FeeReport) -> String {
        let rows = report.rows
        func chart(_ title: String, _ values: [Double], format: String, unit: String) -> String {
            let top = max(values.max() ?? 0, 1e-18)
            let barWidth = max(4, min(40, 680 / max(1, values.count)))
            var svg = "<h2>\(title)</h2><svg width=\"720\" height=\"240\" role=\"img\" aria-label=\"\(title)\">"
            for (index, value) in values.enumerated() {
                let height = 180 * value / top
                let x = 20 + index * barWidth
                svg += "<rect x=\"\(x)\" y=\"\(format2(200 - height))\" width=\"\(barWidth - 2)\" height=\"\(format2(height))\" fill=\"#4a7fb5\">"
                svg += "<title>\(escape(rows[index].key)): \(format1(value, format)) \(unit)</title></rect>"
            }
            svg += "<line x1=\"20\" y1=\"200\" x2=\"700\" y2=\"200\" stroke=\"#333\"/>"
            svg += "<text x=\"20\" y=\"225\" font-size=\"12\">max \(format1(top, format)) \(unit); one bar per \(report.grouping.rawValue)</text>"
            return svg + "</svg>"
        }
        let table = "<table border=\"1\" cellpadding=\"4\" style=\"border-collapse: collapse; font-size: 12px\"><tr>"
            + FeeReport.columns.map { "<th>\($0)</th>" }.joined() + "</tr>"
            + (rows + [report.total]).map { "<tr>" + FeeReport.fields($0).map { "<td>\(escape($0))</td>" }.joined() + "</tr>" }.joined()
            + "</table>"
        return """
            <!doctype html><html><head><meta charset="utf-8"><title>Streamflow fees by \(report.grouping.rawValue)</title></head>
            <body style="font-family: sans-serif"><h1>Fees by \(report.grouping.rawValue)</h1>
            <p>Total \(report.total.fees) wei in \(report.total.tickets) tickets and \(report.total.transactions) redemption transactions; gas \(report.total.gasCost) wei (\(format1(report.total.gasShare * 100, "%.3f"))% of fees).</p>
            \(chart("Fees (ETH)", rows.map { $0.fees.doubleValue / 1e18 }, format: "%.6f", unit: "ETH"))
            \(chart("Redeemed tickets", rows.map { Double($0.tickets) }, format: "%.0f", unit: "tickets"))
            \(chart("Gas as a share of fees", rows.map { $0.gasShare * 100 }, format: "%.3f", unit: "%"))
            \(table)
            </body></html>
            """
    }

    private static func format1(_ value: Double, _ format: String) -> String { String(format: format, value) }
    private static func format2(_ value: Double) -> String { String(format: "%.1f", value) }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
