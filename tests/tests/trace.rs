//! `ZKPIPE_TRACE=<dir>` makes every model write a VCD waveform (own test binary: the
//! variable is process-wide). Tracing is compiled in with the `trace` feature; without it
//! the variable is refused with that advice.

use zkpipe_hdl::field::FieldId;
use zkpipe_hdl::generate::ArithUnit;
use zkpipe_sim::Model;

#[test]
#[cfg(not(feature = "trace"))]
fn zkpipe_trace_without_the_feature_is_a_clear_error() {
    std::env::set_var("ZKPIPE_TRACE", std::env::temp_dir());
    let err = Model::new(&ArithUnit::ModAdd.module_name(FieldId::Bn254Fr))
        .err()
        .expect("refused");
    std::env::remove_var("ZKPIPE_TRACE");
    assert!(err.to_string().contains("`trace` feature"), "{err}");
}

#[test]
#[cfg_attr(
    not(feature = "trace"),
    ignore = "tracing builds with `--features trace`"
)]
fn zkpipe_trace_writes_a_vcd_per_model() {
    let dir = std::env::temp_dir().join(format!("zkpipe-trace-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::env::set_var("ZKPIPE_TRACE", &dir);
    let name = ArithUnit::ModAdd.module_name(FieldId::Bn254Fr);
    {
        let mut model = Model::new(&name).unwrap();
        let a = model.port("a").unwrap();
        model.set(a, &[5]).unwrap();
        model.tick(10);
    }
    std::env::remove_var("ZKPIPE_TRACE");
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let text = std::fs::read_to_string(&files[0]).unwrap();
    assert!(text.contains("$enddefinitions"), "a VCD header");
    assert!(
        text.contains(" a ") || text.contains(" a $end"),
        "port a is traced"
    );
    assert!(text.contains("#20"), "ten cycles of two edges each");
    std::fs::remove_dir_all(&dir).unwrap();
}
