/**
 * The console's pages by path. Signed-out visitors see sign-in (or sign-up); signed-in users see the page
 * inside the layout; unknown paths get a "not found" page.
 */
import type { ReactNode } from 'react';

import { Applications } from './pages/Applications';
import { ClusterDetail } from './pages/ClusterDetail';
import { ClusterCreate, ClusterEdit } from './pages/ClusterEdit';
import { Clusters } from './pages/Clusters';
import { PeerDetail, Peers, SchedulerDetail, Schedulers, SeedPeerDetail, SeedPeers } from './pages/Hosts';
import { JobDetail } from './pages/JobDetail';
import { Jobs } from './pages/Jobs';
import { Overview } from './pages/Overview';
import { PreheatCreate } from './pages/PreheatCreate';
import { Profile } from './pages/Profile';
import { Roles } from './pages/Roles';
import { Tasks } from './pages/Tasks';
import { Tokens } from './pages/Tokens';
import { Users } from './pages/Users';

/** One route: a pattern and the page for its parameters. */
export interface RouteDef {
  pattern: string;
  render: (params: Record<string, string>) => ReactNode;
}

const id = (params: Record<string, string>) => Number(params.id);

/** Every signed-in page. */
export const ROUTES: RouteDef[] = [
  { pattern: '/', render: () => <Overview /> },
  { pattern: '/clusters', render: () => <Clusters /> },
  { pattern: '/clusters/new', render: () => <ClusterCreate /> },
  { pattern: '/clusters/:id', render: (p) => <ClusterDetail id={id(p)} /> },
  { pattern: '/clusters/:id/edit', render: (p) => <ClusterEdit id={id(p)} /> },
  { pattern: '/schedulers', render: () => <Schedulers /> },
  { pattern: '/schedulers/:id', render: (p) => <SchedulerDetail id={id(p)} /> },
  { pattern: '/seed-peers', render: () => <SeedPeers /> },
  { pattern: '/seed-peers/:id', render: (p) => <SeedPeerDetail id={id(p)} /> },
  { pattern: '/peers', render: () => <Peers /> },
  { pattern: '/peers/:id', render: (p) => <PeerDetail id={id(p)} /> },
  { pattern: '/jobs', render: () => <Jobs /> },
  { pattern: '/jobs/new', render: () => <PreheatCreate /> },
  { pattern: '/jobs/:id', render: (p) => <JobDetail id={id(p)} /> },
  { pattern: '/tasks', render: () => <Tasks /> },
  { pattern: '/tokens', render: () => <Tokens /> },
  { pattern: '/applications', render: () => <Applications /> },
  { pattern: '/users', render: () => <Users /> },
  { pattern: '/roles', render: () => <Roles /> },
  { pattern: '/profile', render: () => <Profile /> },
];
