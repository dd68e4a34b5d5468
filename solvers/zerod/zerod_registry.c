/* Registry of block types: one line per block (the JSON "type" name -> its implementation file). */
#include "zerod_impl.h"

extern const HtZDBlockType HtZD_BloodVessel, HtZD_BloodVesselCRL, HtZD_NormalJunction, HtZD_BloodVesselJunction;
extern const HtZDBlockType HtZD_ResistiveJunction, HtZD_ValveTanh, HtZD_ChamberElastanceInductor, HtZD_LinearElastanceChamber;
extern const HtZDBlockType HtZD_ClosedLoopHeart, HtZD_ClosedLoopRCR, HtZD_ClosedLoopCoronaryLeft, HtZD_ClosedLoopCoronaryRight;
extern const HtZDBlockType HtZD_PiecewiseValve, HtZD_ChamberElastanceInductorExponential, HtZD_ChamberSphere;
extern const HtZDBlockType HtZD_CoronaryVarResBC;
extern const HtZDBlockType HtZD_FlowBC, HtZD_PressureBC, HtZD_ResistanceBC, HtZD_RCRBC, HtZD_CoronaryBC;

static const HtZDBlockType *const registry[] = {
  &HtZD_BloodVessel,         /* block_bloodvessel.c */
  &HtZD_BloodVesselCRL,      /* block_bloodvesselcrl.c */
  &HtZD_NormalJunction,      /* block_junction.c */
  &HtZD_BloodVesselJunction, /* block_bvjunction.c */
  &HtZD_ResistiveJunction,   /* block_resistive_junction.c */
  &HtZD_FlowBC,              /* bc_flow.c */
  &HtZD_PressureBC,          /* bc_pressure.c */
  &HtZD_ResistanceBC,        /* bc_resistance.c */
  &HtZD_RCRBC,               /* bc_rcr.c */
  &HtZD_CoronaryBC,          /* bc_coronary.c */
  &HtZD_CoronaryVarResBC,    /* bc_coronary_varres.c */
  &HtZD_ValveTanh,           /* block_valve_tanh.c */
  &HtZD_ChamberElastanceInductor, /* block_chamber.c */
  &HtZD_LinearElastanceChamber,   /* block_linear_chamber.c */
  &HtZD_PiecewiseValve,      /* block_valve_piecewise.c */
  &HtZD_ChamberElastanceInductorExponential, /* block_chamber_exponential.c */
  &HtZD_ChamberSphere,       /* block_chamber_sphere.c */
  &HtZD_ClosedLoopHeart,     /* block_closedloop_heart.c */
  &HtZD_ClosedLoopRCR,       /* bc_closedloop_rcr.c */
  &HtZD_ClosedLoopCoronaryLeft,  /* bc_closedloop_coronary.c */
  &HtZD_ClosedLoopCoronaryRight, /* bc_closedloop_coronary.c */
  NULL,
};

const HtZDBlockType *HtZD_FindType(const char *name)
{
  for (PetscInt i = 0; registry[i]; i++)
    if (!strcmp(registry[i]->type_name, name)) return registry[i];
  return NULL;
}
