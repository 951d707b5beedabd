"""The public data plane: Seldon, V2 and TensorFlow/KServe-V1 protocols in front of MLServer's V2."""
