/**
 * How a member joins the consortium's cluster, who may be a member, and when it gives up on being part of it: the
 * seed list of a restarting member ({@link SeedList}, {@link SeedListFallback}) and the {@link IsolationWatch};
 * Artery over mutual TLS with the consortium CA ({@link MemberTlsEngineProvider}), the CA's revocation list
 * reloaded while running ({@link RevocationWatch}), and the {@link MembershipGuard}, which binds each cluster
 * member's announced node id to the certificate seen at its address and downs members that do not match.
 * {@link CertifiedMembers} says which members the guard verified.
 */
package org.fedmesh.node.membership;
