"""Fine-tuning backends for the hub: plain Python + torch, never Django.

The Django side talks to :mod:`adapters.base` (types) and :mod:`adapters.registry` (lookup).
"""
