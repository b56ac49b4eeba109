/// Collector types shipped with scraper; adding one is one line here.
import CollectionFramework

public enum BuiltInCollectors {
    /// Every collector type the runner registers.
    public static let all: [any Collector.Type] = [
        MisoCTSCollector.self,
        MisoExAnteLMPCollector.self,
        MisoBindingConstraintsCollector.self,
        NYISORealTimeZonalLBMPCollector.self,
        NYISODayAheadZonalLBMPCollector.self,
        CAISOLMPCollector.self,
        SPPRealTimeLMPCollector.self,
        SPPDayAheadLMPCollector.self,
    ]
}
