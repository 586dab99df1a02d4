/* Term implementations shared by potential.c (not a public interface). */
#ifndef ES_ORB_POTENTIAL_INTERNAL_H
#define ES_ORB_POTENTIAL_INTERNAL_H

#include "orbits/orbits.h"

double es_orb_pot_pointmass(const es_orb_term *t, const double x[3], double acc[3],
                            double hess[9], int want_phi);
double es_orb_pot_plummer(const es_orb_term *t, const double x[3], double acc[3],
                          double hess[9], int want_phi);
double es_orb_pot_hernquist(const es_orb_term *t, const double x[3], double acc[3],
                            double hess[9], int want_phi);
double es_orb_pot_isochrone(const es_orb_term *t, const double x[3], double acc[3],
                            double hess[9], int want_phi);
double es_orb_pot_nfw(const es_orb_term *t, const double x[3], double acc[3],
                      double hess[9], int want_phi);
double es_orb_pot_logarithmic(const es_orb_term *t, const double x[3], double acc[3],
                              double hess[9], int want_phi);
double es_orb_pot_miyamoto_nagai(const es_orb_term *t, const double x[3], double acc[3],
                                 double hess[9], int want_phi);
double es_orb_pot_dehnen_bar(const es_orb_term *t, const double x[3], double acc[3],
                             double hess[9], int want_phi);
double es_orb_pot_henon_heiles(const es_orb_term *t, const double x[3], double acc[3],
                               double hess[9], int want_phi);

#endif
