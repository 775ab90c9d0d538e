import Foundation
import TestSupport

/// Where the package's files are.
enum TestPaths {
    static let root = PythonOracle.packageRoot.path
}
