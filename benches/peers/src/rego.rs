//! Rego through regorus (Microsoft's Rego engine): `src/ca.rego` over the Graph JSON as `data`,
//! one sign-in as `input`. Two modes: the tree-walking interpreter and regorus's bytecode VM
//! (RVM); the comparison reports the faster.

use std::sync::Arc;

use regorus::languages::rego::compiler::Compiler;
use regorus::rvm::program::Program;
use regorus::rvm::vm::RegoVM;

/// The CA semantics in Rego.
pub const POLICY: &str = include_str!("ca.rego");
const RULE: &str = "data.ca.applies";

/// How regorus evaluates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `Engine::eval_rule` (the interpreter).
    Interpreter,
    /// The RVM: the policy compiled to bytecode once, a VM reused across sign-ins.
    Vm,
}

impl Mode {
    /// A label for tables.
    pub fn label(self) -> &'static str {
        match self {
            Mode::Interpreter => "interpreter",
            Mode::Vm => "RVM bytecode",
        }
    }
}

/// A loaded policy.
pub struct Rego {
    engine: regorus::Engine,
    vm: Option<RegoVM>,
}

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

impl Rego {
    /// Load the policy and the Graph JSON (`{"policies": [...], "locations": {...}}`).
    pub fn new(data: serde_json::Value, mode: Mode) -> Result<Rego, String> {
        let mut engine = regorus::Engine::new();
        engine.add_policy("ca.rego".into(), POLICY.into()).map_err(err)?;
        let data = regorus::Value::from(data);
        engine.add_data(data.clone()).map_err(err)?;
        let vm = match mode {
            Mode::Interpreter => None,
            Mode::Vm => {
                let compiled = engine.compile_with_entrypoint(&RULE.into()).map_err(err)?;
                let program: Arc<Program> = Compiler::compile_from_policy(&compiled, &[RULE]).map_err(err)?;
                let mut vm = RegoVM::new_with_policy(compiled);
                vm.load_program(program);
                vm.set_data(data).map_err(err)?;
                // The default budget (25,000 instructions) is far too small for thousands of ranges.
                vm.set_max_instructions(usize::MAX);
                Some(vm)
            }
        };
        Ok(Rego { engine, vm })
    }

    /// The applying policies of the sign-in `input`, ascending, into `out`.
    pub fn applicable_into(&mut self, input: &regorus::Value, out: &mut Vec<u32>) -> Result<(), String> {
        let result = match &mut self.vm {
            Some(vm) => {
                vm.set_input(input.clone());
                vm.execute_entry_point_by_name(RULE).map_err(err)?
            }
            None => {
                self.engine.set_input(input.clone());
                self.engine.eval_rule(RULE.into()).map_err(err)?
            }
        };
        out.clear();
        if result != regorus::Value::Undefined {
            for v in result.as_set().map_err(err)? {
                out.push(v.as_u32().map_err(err)?);
            }
        }
        out.sort_unstable();
        Ok(())
    }
}
