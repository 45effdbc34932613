using System.Net;
using System.Net.Sockets;

namespace CallCenter.TestSupport;

public static class TestPorts
{
    /// <summary>A UDP+TCP port free right now on loopback (both protocols, since SIP listens on both).</summary>
    public static int Free()
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var port = ((IPEndPoint)udp.LocalEndPoint!).Port;
            try
            {
                using var tcp = new TcpListener(IPAddress.Loopback, port);
                tcp.Start();
                tcp.Stop();
                return port;
            }
            catch (SocketException)
            {
                // taken on TCP: try another
            }
        }

        throw new InvalidOperationException("no free loopback port");
    }
}
