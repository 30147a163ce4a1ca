"""Nothing: the bindings then view llvm ops as generic ``OpView``s (name, attributes, regions),
which is all the passes reading LLVM-dialect modules need. The generated op and enum classes
(~13 ms to import) load only where code imports ``mlir.dialects.llvm`` itself to build ops."""
