/// Go's `sort.SliceStable` (insertion sort on blocks of 20, then SymMerge), reproduced exactly
/// because strategicpatch sorts with a "less" that is not a strict weak order (an element missing
/// from the order list is "less" than anything), so the result depends on the algorithm's steps.
enum GoStableSort {
    static func sort<T>(_ data: inout [T], less: (T, T) -> Bool) {
        let n = data.count
        var blockSize = 20
        var a = 0, b = blockSize
        while b <= n {
            insertionSort(&data, a, b, less)
            a = b
            b += blockSize
        }
        insertionSort(&data, a, n, less)
        while blockSize < n {
            a = 0
            b = 2 * blockSize
            while b <= n {
                symMerge(&data, a, a + blockSize, b, less)
                a = b
                b += 2 * blockSize
            }
            let m = a + blockSize
            if m < n { symMerge(&data, a, m, n, less) }
            blockSize *= 2
        }
    }

    private static func insertionSort<T>(_ data: inout [T], _ a: Int, _ b: Int, _ less: (T, T) -> Bool) {
        var i = a + 1
        while i < b {
            var j = i
            while j > a && less(data[j], data[j - 1]) {
                data.swapAt(j, j - 1)
                j -= 1
            }
            i += 1
        }
    }

    /// Recursion depth is bounded by log2(n).
    private static func symMerge<T>(_ data: inout [T], _ a: Int, _ m: Int, _ b: Int, _ less: (T, T) -> Bool) {
        if m - a == 1 {
            var i = m, j = b
            while i < j {
                let h = (i + j) >> 1
                if less(data[h], data[a]) { i = h + 1 } else { j = h }
            }
            var k = a
            while k < i - 1 { data.swapAt(k, k + 1); k += 1 }
            return
        }
        if b - m == 1 {
            var i = a, j = m
            while i < j {
                let h = (i + j) >> 1
                if !less(data[m], data[h]) { i = h + 1 } else { j = h }
            }
            var k = m
            while k > i { data.swapAt(k, k - 1); k -= 1 }
            return
        }
        let mid = (a + b) >> 1
        let n = mid + m
        var start: Int, r: Int
        if m > mid { start = n - b; r = mid } else { start = a; r = m }
        let p = n - 1
        while start < r {
            let c = (start + r) >> 1
            if !less(data[p - c], data[c]) { start = c + 1 } else { r = c }
        }
        let end = n - start
        if start < m && m < end { rotate(&data, start, m, end) }
        if a < start && start < mid { symMerge(&data, a, start, mid, less) }
        if mid < end && end < b { symMerge(&data, mid, end, b, less) }
    }

    private static func rotate<T>(_ data: inout [T], _ a: Int, _ m: Int, _ b: Int) {
        var i = m - a, j = b - m
        while i != j {
            if i > j {
                swapRange(&data, m - i, m, j)
                i -= j
            } else {
                swapRange(&data, m - i, m + j - i, i)
                j -= i
            }
        }
        swapRange(&data, m - i, m, i)
    }

    private static func swapRange<T>(_ data: inout [T], _ a: Int, _ b: Int, _ n: Int) {
        for i in 0..<n { data.swapAt(a + i, b + i) }
    }
}
