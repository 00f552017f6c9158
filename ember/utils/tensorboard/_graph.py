"""A traced model (``ember.onnx.utils.trace_model``) as the GraphDef TensorBoard's graph
dashboard draws: one node per op, named by the module path that called it (so the dashboard
folds the graph into the module tree), parameters and constants as their own nodes."""
from tensorboard.compat.proto.attr_value_pb2 import AttrValue
from tensorboard.compat.proto.graph_pb2 import GraphDef
from tensorboard.compat.proto.node_def_pb2 import NodeDef
from tensorboard.compat.proto.tensor_shape_pb2 import TensorShapeProto
from tensorboard.compat.proto.versions_pb2 import VersionDef


def _shape_attr(shape):
    dims = [TensorShapeProto.Dim(size=int(s)) for s in shape]
    return AttrValue(list=AttrValue.ListValue(shape=[TensorShapeProto(dim=dims)]))


def graph_def(trace):
    g = trace.graph
    top = trace.name
    producer = {}
    nodes = []
    for name, t in zip(trace.input_names, trace.inputs):
        producer[name] = "%s/input/%s" % (top, name)
        nodes.append(NodeDef(name=producer[name], op="IO Node",
                             attr={"_output_shapes": _shape_attr(t._data.shape)}))
    params = {n for n, _ in trace.tracer.params.values()}
    for name, array in g.initializers.items():
        kind = "Parameter" if name in params else "Constant"
        producer[name] = "%s/%s" % (top, name.replace(".", "/").replace(":", "_"))
        nodes.append(NodeDef(name=producer[name], op=kind,
                             attr={"_output_shapes": _shape_attr(array.shape)}))
    outputs = set(trace.output_names)
    for node in g.nodes:
        if node.op_type == "Identity" and node.outputs[0] in outputs:
            out = node.outputs[0]
            producer[out] = "%s/output/%s" % (top, out)
            nodes.append(NodeDef(name=producer[out], op="IO Node",
                                 input=[producer[i] for i in node.inputs if i in producer]))
            continue
        name = top + node.name
        for o in node.outputs:
            producer[o] = name
        attr = {k: AttrValue(s=repr(v).encode()) for k, v in node.attrs.items()}
        shape = trace.tracer.shapes.get(node.outputs[0])
        if shape is not None:
            attr["_output_shapes"] = _shape_attr(shape)
        nodes.append(NodeDef(name=name, op=node.op_type, attr=attr,
                             input=[producer[i] for i in node.inputs if i in producer]))
    return GraphDef(node=nodes, versions=VersionDef(producer=22))


def onnx_graph_def(model):
    """The GraphDef of an ONNX model (a path or an ``onnx.ModelProto``): one node per graph
    input, initializer and operator, edges from each value's producer."""
    if not hasattr(model, "graph"):
        import onnx

        model = onnx.load(str(model))
    graph = model.graph
    producer, nodes = {}, []
    initializers = {i.name for i in graph.initializer}
    for value in graph.input:
        if value.name not in initializers:
            producer[value.name] = "input/" + value.name
            nodes.append(NodeDef(name=producer[value.name], op="IO Node"))
    for init in graph.initializer:
        producer[init.name] = init.name.replace(".", "/")
        nodes.append(NodeDef(name=producer[init.name], op="Parameter",
                             attr={"_output_shapes": _shape_attr(init.dims)}))
    for i, node in enumerate(graph.node):
        name = (node.name or "%s_%d" % (node.op_type, i)).lstrip("/")
        for o in node.output:
            producer[o] = name
        nodes.append(NodeDef(name=name, op=node.op_type,
                             input=[producer[x] for x in node.input if x in producer]))
    for value in graph.output:
        nodes.append(NodeDef(name="output/" + value.name, op="IO Node",
                             input=[producer[value.name]] if value.name in producer else []))
    return GraphDef(node=nodes, versions=VersionDef(producer=22))
