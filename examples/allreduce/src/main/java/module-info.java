/** One allReduce over two processes, on the module path. */
module io.ncclffm.examples.allreduce {
    requires io.ncclffm;
    requires io.ncclffm.device;
}
