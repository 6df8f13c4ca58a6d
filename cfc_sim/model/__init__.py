"""The SimPy model: areas, cases and pathways, FCAs, workforce events, the monthly monitor."""

from cfc_sim.model.simulation import ReplicationOutput, simulate

__all__ = ["ReplicationOutput", "simulate"]
