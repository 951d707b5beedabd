"""The model catalog's query language (seed docs §6.7.1): parse with lark, compile to parameterised SQL.

node = parse_query("(name=iris AND version=2.0) OR metrics[p1]>0.5")   # or QuerySyntaxError
sql = compile_filter(node, params)                                       # values only ever in `params`
"""

from warden_metadata.query.ast import BoolOp, Comparison, QueryNode
from warden_metadata.query.compiler import SqlParams, compile_filter
from warden_metadata.query.parser import QuerySyntaxError, parse_query

__all__ = ["BoolOp", "Comparison", "QueryNode", "QuerySyntaxError", "SqlParams", "compile_filter", "parse_query"]
