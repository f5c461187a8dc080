import APIServer
import ControllerRuntime

/// The adjustable clock is what the API server's testing endpoint moves.
extension AdjustableTimers: TestingClock {}
