//! The short fault campaign of the default suite: two runs of each fault kind on the
//! simulated board, every result compared with arkworks. `zkpipe faults --runs 1000` is
//! the benchmark (README).

use std::sync::Arc;
use std::time::Duration;
use zkpipe::campaign::{self, CampaignConfig};
use zkpipe::Device;

#[test]
fn faults_are_errors_or_rejected_proofs_never_wrong_results_and_the_board_recovers() {
    let device = Arc::new(Device::open("sim:sim-small").unwrap());
    let config = CampaignConfig {
        runs: 2 * campaign::kinds().len(),
        seed: 7,
        timeout: Duration::from_secs(3),
        ..CampaignConfig::default()
    };
    let mut seen = 0;
    let report = campaign::run(&device, &config, |r| {
        assert_eq!(r.run, seen);
        seen += 1;
    })
    .unwrap();
    assert_eq!(report.total.runs, config.runs);
    assert!(report.passed(), "{:#?}", report.failures);
    // Every kind ran twice.
    for kind in campaign::kinds() {
        let t = report.by_fault[kind];
        assert_eq!(t.runs, 2, "{kind}");
    }
    // Faults of the transport and of an engine the workload used are typed errors.
    for kind in ["dma-error", "stuck", "short-stream"] {
        let t = report.by_fault[kind];
        assert_eq!(t.injected, 2, "{kind}");
        assert_eq!(t.errors + t.rejected, 2, "{kind}: {t:?}");
    }
    // A corrupted input beat that reached the card always fails the job.
    let t = report.by_fault["corrupt-h2c"];
    assert_eq!(t.errors + t.rejected, t.injected, "{t:?}");
    assert!(report.errors.keys().any(|e| e == "StreamCorrupted"));
    assert!(report.errors.keys().any(|e| e == "Timeout"));
    // The device is back to its default timeout and has no fault armed.
    assert!(!device.with_sim_board(|b| b.fault_armed()).unwrap());
}
