"""Conditions compiled once, at load, into trees of leaves that both engines share.

tree: leaves, nodes and their Kleene evaluation; compiler: conditions into trees;
decide: trees into 'definitely true/false' functions; batch: what correlation rules remember
across a batch; calls: named checks and membership tests called while deciding.
"""
